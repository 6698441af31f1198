// The demo page's own code: every API request below is a real cross-origin request made by this
// page, and what it shows is exactly what the browser let it read.

const config = await (await fetch('/config.json')).json()
const api = config.apiOrigin

document.getElementById('page-origin').textContent = location.origin
document.getElementById('api-origin').textContent = api
const verdict = document.getElementById('page-verdict')
verdict.textContent = config.allowed ? 'in the allow-list' : 'not in the allow-list'
verdict.className = `badge ${config.allowed ? 'allowed' : 'refused'}`

const cases = {
  get: [{ label: 'GET /api/items', url: '/api/items' }],
  put: [{
    label: 'PUT /api/items/42',
    url: '/api/items/42',
    init: { method: 'PUT', headers: { 'content-type': 'application/json', 'x-request-id': 'demo-1' }, body: JSON.stringify({ name: 'kettle' }) }
  }],
  delete: [{ label: 'DELETE /api/items/42', url: '/api/items/42', init: { method: 'DELETE' } }],
  credentials: [
    { label: 'POST /api/login', url: '/api/login', init: { method: 'POST', credentials: 'include' } },
    { label: 'GET /api/me', url: '/api/me', init: { credentials: 'include' } }
  ]
}

function element (tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

async function attempt (step) {
  try {
    const response = await fetch(api + step.url, { cache: 'no-store', ...step.init })
    const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`)
    return { read: true, status: response.status, body: await response.text(), headers }
  } catch (error) {
    return { read: false, error: String(error) }
  }
}

function describeDecision (entry) {
  const cors = entry.cors
  const verdictText = cors === null ? 'no decision' : `allowed: ${cors.allowed}, reason: '${cors.reason}'`
  const line = element('div', `decision ${cors !== null && cors.allowed ? 'allowed' : 'denied'}`)
  line.append(element('pre', '', `${entry.method} ${entry.url} → ${entry.status}   request.cors { ${verdictText} }`))
  if (cors !== null && cors.detail) line.append(element('pre', '', `  ${cors.detail}`))
  return line
}

async function run (name) {
  const section = document.getElementById(`case-${name}`)
  const outcome = section.querySelector('.outcome')
  outcome.replaceChildren()
  section.dataset.state = 'running'
  for (const step of cases[name]) {
    const { next } = await (await fetch('/decisions/cursor')).json()
    const result = await attempt(step)
    const decisions = await (await fetch(`/decisions?since=${next}`)).json()

    const box = element('div', `step ${result.read ? 'read' : 'blocked'}`)
    box.dataset.step = step.label
    box.dataset.outcome = result.read ? `read ${result.status}` : 'blocked'
    if (result.read) {
      box.append(element('div', 'title', `${step.label}: page read ${result.status}`))
      box.append(element('pre', '', result.body))
      box.append(element('pre', '', `readable headers: ${result.headers.join(', ')}`))
    } else {
      box.append(element('div', 'title', `${step.label}: blocked by the browser`))
      box.append(element('pre', '', `${result.error} (the console says why)`))
    }
    const list = element('div', 'decisions')
    list.append(element('div', '', 'API logged:'))
    for (const entry of decisions) list.append(describeDecision(entry))
    box.append(list)
    outcome.append(box)
  }
  section.dataset.state = 'done'
}

for (const button of document.querySelectorAll('button[data-case]')) {
  button.addEventListener('click', () => { run(button.dataset.case) })
}
document.body.dataset.ready = 'true'
