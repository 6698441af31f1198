/**
 * The Public Suffix List, ICANN and private sections (tldts, which ships the list compiled and is
 * released as the list changes). Under a public suffix anyone can register a name: `*.github.io`
 * or `*.co.uk` allows every stranger's site. Read when options are resolved, never per request.
 */
import { getDomain, parse } from 'tldts'

const WITH_PRIVATE_SECTION = { allowPrivateDomains: true, extractHostname: false, validateHostname: false } as const

/** True when `host` is itself on the list (`github.io`, `co.uk`, `vercel.app`), not merely under an unlisted default rule. */
export function isPublicSuffix (host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '')
  const parsed = parse(name, WITH_PRIVATE_SECTION)
  return parsed.publicSuffix === name && (parsed.isIcann === true || parsed.isPrivate === true)
}

/** The name someone registered for `host` (`example.com` for `a.example.com`, `me.github.io` for `x.me.github.io`); null for IPs and bare suffixes. */
export function registrableDomain (host: string): string | null {
  return getDomain(host, WITH_PRIVATE_SECTION)
}
