// SPDX-License-Identifier: Apache-2.0
// `telcrm serve --bitrix24` driven by Bitrix24's official JavaScript SDK over HTTPS, replaying
// what two open-source PBX connectors send (asterlink, bitrix-asterisk; transcribed, not
// copied), plus the cases the issue lists and form-encoded requests with curl.
// Run by run.sh (it makes the certificate and sets NODE_EXTRA_CA_CERTS, TELCRM, TELCRM_WORK).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { B24Hook } from '@bitrix24/b24jssdk'

const telcrm = process.env.TELCRM
const work = process.env.TELCRM_WORK
const cert = process.env.NODE_EXTRA_CA_CERTS
const SECRET = 'sdk-test-secret-4f1b'
const USER = 1
let serve // the telcrm serve process
let base // https://127.0.0.1:PORT
let pbxBase // the PBX listener: http://127.0.0.1:PORT
let hook

// 55 employees: 1 Anna 101, 2 Boris 102, 3 Vera 103, 4 Gleb 104, 10… with 2xx inner numbers,
// the last three with none (asterlink stops at the first empty UF_PHONE_INNER).
function settings () {
  const employees = [
    { id: 1, name: 'Anna Ivanova', extension: '101' },
    { id: 2, name: 'Boris Petrov', extension: '102' },
    { id: 3, name: 'Vera Sidorova', extension: '103' },
    { id: 4, name: 'Gleb Orlov', extension: '104' }
  ]
  for (let i = 0; i < 51; i++) {
    const e = { id: 10 + i, name: `Agent ${i}` }
    if (i < 48) e.extension = String(200 + i)
    employees.push(e)
  }
  return {
    default_region: 'RU',
    employees,
    queues: [{ id: 'sales', members: [1, 2], distribution: 'strictly', rings: 2 }],
    lines: [{ number: '+74951234567', queue: 'sales' }]
  }
}
const crm = {
  contacts: [
    { id: 5, name: 'Ivan Petrov', phones: ['+7 916 123-45-67'], responsible: 3 },
    { id: 6, name: 'Olga Smirnova', phones: ['8 (916) 765-43-21'], responsible: 3 }
  ],
  leads: [{ id: 8, title: 'Old lead', phones: ['+7 916 123-45-67'], responsible: 4 }]
}

// One SDK call; errors come back as values so that tests can look at their texts.
async function call (method, params = {}) {
  try {
    const r = await hook.actions.v2.call.make({ method, params })
    if (!r.isSuccess) return { ok: false, messages: r.getErrorMessages() }
    const data = r.getData()
    // The SDK keeps `total` and `next` out of getData(): they have readers of their own.
    return { ok: true, result: data.result, total: r.getTotal(), more: r.isMore(), time: data.time }
  } catch (e) {
    return { ok: false, code: e?.code ?? '', message: String(e?.message ?? e), error: e }
  }
}
async function ok (method, params) {
  const r = await call(method, params)
  assert.ok(r.ok, `${method} failed: ${r.code} ${r.message ?? r.messages}`)
  return r.result
}
// The exact error text, whichever way the SDK carries it.
function errorText (r) {
  const e = r.error ?? {}
  return [r.message, ...(r.messages ?? []), e.description, e.answerError?.description,
    e?.cause?.message, JSON.stringify(e?.answerError ?? {})].filter(Boolean).join(' | ')
}

function curl (path, args) {
  const out = execFileSync('curl', ['-sS', '--cacert', cert, '-w', '\n%{http_code}', ...args,
    `${base}${path}`], { encoding: 'utf8' })
  const at = out.lastIndexOf('\n')
  return { status: Number(out.slice(at + 1)), body: JSON.parse(out.slice(0, at)) }
}
const rest = (method) => `/rest/${USER}/${SECRET}/${method}`

// Starts `telcrm serve` with the API on a free port; resolves to its process and base URL.
async function startServe (args) {
  const proc = spawn(telcrm, ['serve', '--listen', '127.0.0.1:0', '--no-token', '--bitrix24',
    `${USER}:@${join(work, 'secret')}`, '--bitrix24-listen', '127.0.0.1:0', '--tls-cert', cert,
    '--tls-key', join(work, 'key.pem'), '--max-recording-mb', '1', ...args],
  { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const { url, pbx } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`telcrm serve did not start:\n${log}`)), 15000)
    proc.stderr.on('data', (chunk) => {
      log += chunk
      if (process.env.TELCRM_LOG) process.stderr.write(chunk)
      const m = /Bitrix24 REST API on (https:\/\/127\.0\.0\.1:\d+)/.exec(log)
      const pbx = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
      if (m && pbx) { clearTimeout(timer); resolve({ url: m[1], pbx: pbx[1] }) }
    })
    proc.on('exit', (code) => reject(new Error(`telcrm serve exited ${code}:\n${log}`)))
  })
  return { proc, url, pbx }
}
async function stopServe (proc) {
  if (!proc || proc.exitCode !== null) return
  const exited = new Promise((resolve) => proc.on('exit', resolve))
  process.kill(proc.pid, 'SIGTERM') // by its PID: only a process this suite started
  assert.equal(await exited, 0)
}

before(async () => {
  const db = join(work, 'crm.db')
  writeFileSync(join(work, 'settings.json'), JSON.stringify(settings()))
  writeFileSync(join(work, 'crm.json'), JSON.stringify(crm))
  writeFileSync(join(work, 'secret'), `${SECRET}\n`, { mode: 0o600 }) // kept out of `ps`
  execFileSync(telcrm, ['crm', 'import', join(work, 'crm.json'), '--db', db, '--settings',
    join(work, 'settings.json'), '--quiet'], { stdio: 'inherit' })
  const started = await startServe(['--store', `sqlite:${db}`, '--recordings', join(work, 'recordings')])
  serve = started.proc
  base = started.url
  pbxBase = started.pbx
  hook = new B24Hook({ b24Url: base, userId: USER, secret: SECRET })
  hook.offClientSideWarning()
})

after(async () => { await stopServe(serve) })

describe('asterlink: its request sequence, unchanged', () => {
  test('user.get pages by 50 with total/next; ID is a string; DESC by UF_PHONE_INNER', async () => {
    const ext = new Map()
    let start = 0
    let pages = 0
    for (;;) {
      const r = await call('user.get', { sort: 'UF_PHONE_INNER', order: 'DESC',
        filter: { USER_TYPE: 'employee' }, start })
      assert.ok(r.ok, r.message)
      assert.equal(r.total, 55)
      pages++
      let stop = false
      for (const u of r.result) {
        assert.equal(typeof u.ID, 'string')
        if (!u.UF_PHONE_INNER) { stop = true; break }
        ext.set(u.UF_PHONE_INNER, u.ID)
      }
      if (stop || !r.more) break
      start += r.result.length
    }
    assert.equal(pages, 2)
    assert.equal(ext.size, 52)
    assert.equal(ext.get('102'), '2')
  })

  test('a known caller: register, crm.contact.get, batched show/hide, answer, finish, record', async () => {
    const reg = await ok('telephony.externalcall.register', { USER_ID: 2,
      PHONE_NUMBER: '+7 916 123-45-67', TYPE: 2, LINE_NUMBER: '74951234567', CRM_CREATE: 1, SHOW: 0 })
    assert.match(reg.CALL_ID, /^externalCall\.[0-9a-f]{32}\.\d+$/)
    assert.equal(reg.CRM_ENTITY_TYPE, 'CONTACT') // R-M3: the contact ranks above the lead
    assert.equal(reg.CRM_ENTITY_ID, 5)
    assert.deepEqual(reg.CRM_CREATED_ENTITIES, [])
    assert.equal(reg.CRM_CREATED_LEAD, null)
    const contact = await ok('crm.contact.get', { id: reg.CRM_ENTITY_ID })
    assert.equal(contact.ASSIGNED_BY_ID, '3')
    assert.equal(contact.ID, '5')
    // DialBegin for two phones at once, then DialEnd (asterlink batches these 500 ms).
    const shown = await Promise.all([
      ok('telephony.externalcall.show', { CALL_ID: reg.CALL_ID, USER_ID: [1, 2] }),
      ok('telephony.externalcall.show', { CALL_ID: reg.CALL_ID, USER_ID: 3 })])
    assert.deepEqual(shown, [true, true])
    assert.equal(await ok('telephony.externalcall.hide', { CALL_ID: reg.CALL_ID, USER_ID: [1] }), true)
    // Answered by Boris with update_assigned on.
    assert.equal(await ok('crm.contact.update', { id: 5, fields: { ASSIGNED_BY_ID: 2 } }), true)
    assert.equal((await ok('crm.contact.get', { id: 5 })).ASSIGNED_BY_ID, '2')
    const fin = await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 2,
      DURATION: 35, STATUS_CODE: '200' })
    assert.equal(fin.CALL_STATUS, 1)
    assert.equal(fin.CALL_FAILED_CODE, '200')
    assert.equal(fin.CRM_ENTITY_TYPE, 'CONTACT')
    const content = Buffer.from('RIFF fake wav bytes').toString('base64')
    const rec = await ok('telephony.externalCall.attachRecord', { CALL_ID: reg.CALL_ID,
      FILENAME: 'call-1.wav', FILE_CONTENT: content })
    assert.ok(rec.FILE_ID > 0)
    const kept = readdirSync(join(work, 'recordings')).filter((f) => f.includes(reg.CALL_ID))
    assert.equal(kept.length, 1)
    assert.equal(readFileSync(join(work, 'recordings', kept[0]), 'utf8'), 'RIFF fake wav bytes')
    await ok('crm.contact.update', { id: 5, fields: { ASSIGNED_BY_ID: 3 } }) // as it was
  })

  test('R-L5 an unknown caller with CRM_CREATE=1: the lead at register, then 304 and 603-S', async () => {
    const reg = await ok('telephony.externalcall.register', { USER_ID: 1,
      PHONE_NUMBER: '+7 903 111-22-33', TYPE: 2, LINE_NUMBER: '74951234567', CRM_CREATE: 1, SHOW: 0 })
    assert.equal(reg.CRM_ENTITY_TYPE, 'LEAD')
    assert.equal(typeof reg.CRM_CREATED_LEAD, 'number')
    assert.deepEqual(reg.CRM_CREATED_ENTITIES, [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: reg.CRM_CREATED_LEAD }])
    const lead = await ok('crm.lead.get', { id: reg.CRM_ENTITY_ID })
    assert.equal(lead.ASSIGNED_BY_ID, '1') // responsible = the register's user
    const fin = await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1,
      DURATION: 0, STATUS_CODE: '304' })
    assert.equal(fin.CALL_STATUS, 0)
    const again = await ok('telephony.externalcall.register', { USER_ID: 1,
      PHONE_NUMBER: '+7 903 111-22-33', TYPE: 2, LINE_NUMBER: '74951234567', CRM_CREATE: 1 })
    assert.equal(again.CRM_ENTITY_TYPE, 'LEAD')
    assert.equal(again.CRM_ENTITY_ID, reg.CRM_ENTITY_ID) // known now: nothing new
    assert.deepEqual(again.CRM_CREATED_ENTITIES, [])
    const cancel = await ok('telephony.externalcall.finish', { CALL_ID: again.CALL_ID, USER_ID: 1,
      DURATION: 0, STATUS_CODE: '603-S' })
    assert.equal(cancel.CALL_FAILED_CODE, '603-S')
    assert.equal(cancel.CALL_STATUS, 0)
  })

  test('searchCrmEntities: one per type, lowest id, CONTACT before LEAD', async () => {
    const found = await ok('telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '89161234567' })
    assert.deepEqual(found.map((e) => [e.CRM_ENTITY_TYPE, e.CRM_ENTITY_ID]), [['CONTACT', 5], ['LEAD', 8]])
    assert.equal(found[0].ASSIGNED_BY_ID, 3)
    assert.equal(found[0].ASSIGNED_BY.ID, '3')
    assert.equal(found[0].ASSIGNED_BY.USER_PHONE_INNER, '103')
  })
})

describe('bitrix-asterisk: its request sequence, unchanged', () => {
  test('register by USER_PHONE_INNER with its retry on the exact text; finish with USER_ID null', async () => {
    const params = { USER_PHONE_INNER: '', PHONE_NUMBER: '+7 916 765-43-21', CRM_CREATE: 0, SHOW: 1, TYPE: 2 }
    const first = await call('telephony.externalcall.register', params)
    assert.equal(first.ok, false)
    assert.ok(errorText(first).includes('USER_ID or USER_PHONE_INNER should be set'), errorText(first))
    const reg = await ok('telephony.externalcall.register', { ...params, USER_PHONE_INNER: '101' })
    assert.equal(reg.CRM_ENTITY_TYPE, 'CONTACT')
    assert.equal(reg.CRM_ENTITY_ID, 6)
    const users = await ok('user.get', { FILTER: { UF_PHONE_INNER: '102' } })
    assert.equal(users.length, 1)
    assert.equal(users[0].ID, '2')
    assert.equal(await ok('telephony.externalcall.show', { CALL_ID: reg.CALL_ID, USER_ID: 2 }), true)
    assert.equal(await ok('telephony.externalcall.hide', { CALL_ID: reg.CALL_ID, USER_ID: 2 }), true)
    const fin = await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: null,
      USER_PHONE_INNER: '102', DURATION: 20, STATUS_CODE: 200 })
    assert.equal(fin.PORTAL_USER_ID, '2')
    assert.equal(fin.CALL_STATUS, 1)
    const rec = await ok('telephony.externalCall.attachRecord', { CALL_ID: reg.CALL_ID,
      FILENAME: 'r.mp3', FILE_CONTENT: Buffer.from('ID3 mp3').toString('base64') })
    assert.ok(rec.FILE_ID > 0)
  })
})

describe('the cases the facade must get right', () => {
  test('R-I1 a duplicate register within 30 minutes returns the same CALL_ID', async () => {
    const p = { USER_ID: 3, PHONE_NUMBER: '+7 903 000-00-01', TYPE: 2, EXTERNAL_CALL_ID: 'pbx-77' }
    const a = await ok('telephony.externalcall.register', p)
    const b = await ok('telephony.externalcall.register', { ...p, TYPE: '2' })
    assert.equal(b.CALL_ID, a.CALL_ID)
    const c = await ok('telephony.externalcall.register', { ...p, EXTERNAL_CALL_ID: 'pbx-78' })
    assert.notEqual(c.CALL_ID, a.CALL_ID)
    await ok('telephony.externalcall.finish', { CALL_ID: a.CALL_ID, USER_ID: 3 })
    await ok('telephony.externalcall.finish', { CALL_ID: c.CALL_ID, USER_ID: 3 })
  })

  test('R-T1 R-A3 finish by another user: the lead this call created is theirs', async () => {
    const reg = await ok('telephony.externalcall.register', { USER_ID: 1,
      PHONE_NUMBER: '+7 903 222-33-44', TYPE: 2, CRM_CREATE: '1' })
    assert.equal((await ok('crm.lead.get', { id: reg.CRM_CREATED_LEAD })).ASSIGNED_BY_ID, '1')
    await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 4, DURATION: 12 })
    assert.equal((await ok('crm.lead.get', { id: reg.CRM_CREATED_LEAD })).ASSIGNED_BY_ID, '4')
    // The pre-existing contact stays with its responsible.
    const known = await ok('telephony.externalcall.register', { USER_ID: 1,
      PHONE_NUMBER: '+7 916 123-45-67', TYPE: 2 })
    await ok('telephony.externalcall.finish', { CALL_ID: known.CALL_ID, USER_ID: 4, DURATION: 5 })
    assert.equal((await ok('crm.contact.get', { id: 5 })).ASSIGNED_BY_ID, '3')
    const second = await call('telephony.externalcall.finish', { CALL_ID: known.CALL_ID, USER_ID: 4 })
    assert.equal(second.ok, false)
    assert.ok(errorText(second).includes('Call is not found (call should be registered prior to finishing)'))
  })

  test('R-L1 unknown with CRM_CREATE=0: nothing is created', async () => {
    const reg = await ok('telephony.externalcall.register', { USER_ID: 1,
      PHONE_NUMBER: '+7 903 555-66-77', TYPE: 2, CRM_CREATE: 0 })
    assert.equal(reg.CRM_ENTITY_TYPE, '')
    assert.equal(reg.CRM_ENTITY_ID, null)
    await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1 })
    assert.deepEqual(await ok('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+79035556677'] }), [])
  })

  test('R-A4 attachRecord before finish is refused with the exact text; after, it replaces', async () => {
    const reg = await ok('telephony.externalcall.register', { USER_ID: 2,
      PHONE_NUMBER: '+7 916 123-45-67', TYPE: 2 })
    const body = { CALL_ID: reg.CALL_ID, FILENAME: 'a.mp3', FILE_CONTENT: Buffer.from('one').toString('base64') }
    const early = await call('telephony.externalCall.attachRecord', body)
    assert.equal(early.ok, false)
    assert.ok(errorText(early).includes(
      'Call is not found in the statistic table. Looks like it is not finished yet.'), errorText(early))
    await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 2, DURATION: 3 })
    const a = await ok('telephony.externalCall.attachRecord', body)
    const b = await ok('telephony.externalCall.attachRecord', { ...body, FILE_CONTENT: Buffer.from('two').toString('base64') })
    assert.notEqual(a.FILE_ID, b.FILE_ID)
    const kept = readdirSync(join(work, 'recordings')).filter((f) => f.includes(reg.CALL_ID))
    assert.equal(readFileSync(join(work, 'recordings', kept[0]), 'utf8'), 'two')
    const ogg = await call('telephony.externalCall.attachRecord', { ...body, FILENAME: 'a.ogg' })
    assert.equal(ogg.ok, false)
    // No server-side request forgery: a loopback RECORD_URL is refused.
    const ssrf = await call('telephony.externalCall.attachRecord', { CALL_ID: reg.CALL_ID,
      RECORD_URL: `${base}/rest/1/${SECRET}/user.get?x=a.mp3`, FILENAME: 'x.mp3' })
    assert.equal(ssrf.ok, false)
    assert.ok(errorText(ssrf).includes('loopback, private or link-local'), errorText(ssrf))
  })

  test('R-X2 an internal number: no CRM, nothing created even with CRM_CREATE=1', async () => {
    const reg = await ok('telephony.externalcall.register', { USER_ID: 1, PHONE_NUMBER: '103',
      TYPE: 2, CRM_CREATE: 1 })
    assert.equal(reg.CRM_ENTITY_TYPE, '')
    assert.deepEqual(reg.CRM_CREATED_ENTITIES, [])
    await ok('telephony.externalcall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1, DURATION: 9 })
  })

  test('errors: Unknown TYPE verbatim; unknown methods; lines', async () => {
    const r = await call('telephony.externalcall.register', { USER_ID: 1, PHONE_NUMBER: '1', TYPE: 9 })
    assert.equal(r.ok, false)
    assert.ok(errorText(r).includes('Unknown TYPE'))
    const m = await call('telephony.no.such', {})
    assert.equal(m.ok, false)
    assert.ok(`${m.code} ${errorText(m)}`.includes('ERROR_METHOD_NOT_FOUND'), `${m.code} ${errorText(m)}`)
    assert.deepEqual(await ok('telephony.externalLine.add', { NUMBER: ' 74959990000 ', NAME: 'Sales' }), { ID: 2 })
    const lines = await ok('telephony.externalLine.get', {})
    assert.ok(lines.some((l) => l.NUMBER === '74951234567')) // auto-created by register
    assert.ok(lines.some((l) => l.NUMBER === '74959990000' && l.NAME === 'Sales'))
  })
})

describe('the wire: form bodies, paths, credentials, caps (curl)', () => {
  test('form-encoded with PHP brackets, on <method>.json and <method>/', () => {
    const r = curl(rest('user.get.json'), ['--data-urlencode', 'FILTER[UF_PHONE_INNER]=101'])
    assert.equal(r.status, 200)
    assert.equal(r.body.result.length, 1)
    assert.equal(r.body.result[0].ID, '1')
    assert.ok(r.body.time.operating !== undefined)
    const page = curl(rest('user.get'), ['--data-urlencode', 'start=0'])
    assert.equal(page.body.total, 55)
    assert.equal(page.body.next, 50)
    assert.equal(page.body.result.length, 50)
    const last = curl(rest('user.get'), ['--data-urlencode', 'start=50'])
    assert.equal(last.body.result.length, 5)
    assert.equal(last.body.next, undefined)
    const reg = curl(rest('TELEPHONY.EXTERNALCALL.REGISTER/'), ['--data-urlencode', 'USER_ID=2',
      '--data-urlencode', 'PHONE_NUMBER=+7 916 123-45-67', '--data-urlencode', 'TYPE=2'])
    assert.equal(reg.status, 200)
    assert.equal(reg.body.result.CRM_ENTITY_ID, 5)
    const show = curl(rest('telephony.externalcall.show'), ['--data-urlencode',
      `CALL_ID=${reg.body.result.CALL_ID}`, '--data-urlencode', 'USER_ID[]=1', '--data-urlencode', 'USER_ID[]=2'])
    assert.equal(show.body.result, true)
    const fin = curl(rest('telephony.externalcall.finish'), ['--data-urlencode',
      `CALL_ID=${reg.body.result.CALL_ID}`, '--data-urlencode', 'USER_ID=2', '--data-urlencode', 'DURATION=7'])
    assert.equal(fin.body.result.CALL_STATUS, 1)
  })

  test('a wrong secret or user is 401 in the error shape', () => {
    const r = curl(`/rest/${USER}/wrong-secret-4f1b/user.get`, ['-d', ''])
    assert.equal(r.status, 401)
    assert.equal(r.body.error, 'INVALID_CREDENTIALS')
    assert.equal(typeof r.body.error_description, 'string')
    assert.equal(curl(`/rest/2/${SECRET}/user.get`, ['-d', '']).status, 401)
  })

  test('body caps per method: small for most, the recording size for attachRecord', () => {
    const big = join(work, 'big.txt')
    writeFileSync(big, 'NAME=' + 'x'.repeat(300 * 1024))
    const r = curl(rest('user.get'), ['--data-binary', `@${big}`])
    assert.equal(r.status, 413)
    assert.ok(r.body.error_description.includes('larger than'))
    writeFileSync(big, 'CALL_ID=x&FILENAME=a.mp3&FILE_CONTENT=' + 'QUFB'.repeat(120 * 1024))
    const a = curl(rest('telephony.externalCall.attachRecord'), ['--data-binary', `@${big}`])
    assert.equal(a.status, 400) // within its cap: refused only because x is not finished
    assert.ok(a.body.error_description.includes('not finished'))
  })

  test('every answer is counted on the PBX listener\'s /metrics', async () => {
    const text = await (await fetch(`${pbxBase}/metrics`)).text()
    assert.match(text, /telcrm_http_requests_total\{endpoint="bitrix24",code="200"\} [1-9]/)
    assert.match(text, /telcrm_http_requests_total\{endpoint="bitrix24",code="401"\} [1-9]/)
  })

  test('malformed JSON is a 400 in the error shape', () => {
    const r = curl(rest('user.get'), ['-H', 'Content-Type: application/json', '-d', '{"FILTER":'])
    assert.equal(r.status, 400)
    assert.ok(r.body.error)
    assert.ok(existsSync(cert))
  })
})

describe('RECORD_URL downloads (a second serve, with --allow-private-record-urls)', () => {
  let second
  let files
  let other
  const payload = Buffer.from('ID3 downloaded mp3 bytes')
  before(async () => {
    files = createServer((req, res) => {
      if (req.url === '/rec.mp3') { res.writeHead(200, { 'Content-Type': 'audio/mpeg' }); res.end(payload) }
      else if (req.url === '/hop') { res.writeHead(302, { Location: '/rec.mp3' }); res.end() }
      else if (req.url === '/big.mp3') { res.writeHead(200); res.end(Buffer.alloc(2 * 1024 * 1024)) }
      else { res.writeHead(404); res.end() }
    })
    await new Promise((resolve) => files.listen(0, '127.0.0.1', resolve))
    second = await startServe(['--store', 'memory', '--settings', join(work, 'settings.json'),
      '--recordings', join(work, 'fetched'), '--allow-private-record-urls'])
    other = new B24Hook({ b24Url: second.url, userId: USER, secret: SECRET })
    other.offClientSideWarning()
  })
  after(async () => {
    await stopServe(second?.proc)
    files?.close()
  })
  async function finished () {
    const reg = await other.actions.v2.call.make({ method: 'telephony.externalcall.register',
      params: { USER_ID: 1, PHONE_NUMBER: '+7 916 000-00-09', TYPE: 2, CRM_CREATE: 1 } })
    const id = reg.getData().result.CALL_ID
    await other.actions.v2.call.make({ method: 'telephony.externalcall.finish',
      params: { CALL_ID: id, USER_ID: 1, DURATION: 4 } })
    return id
  }
  async function attach (id, url) {
    try {
      const r = await other.actions.v2.call.make({ method: 'telephony.externalCall.attachRecord',
        params: { CALL_ID: id, RECORD_URL: url } })
      return { ok: r.isSuccess, result: r.getData()?.result, messages: r.getErrorMessages() }
    } catch (e) { return { ok: false, message: String(e?.message ?? e), error: e } }
  }
  test('R-A4 a redirect is followed (and checked); the file is kept under its name', async () => {
    const at = `http://127.0.0.1:${files.address().port}`
    const id = await finished()
    const r = await attach(id, `${at}/hop?name=x`)
    assert.equal(r.ok, false) // the name comes from the URL: "hop" is not .wav/.mp3
    const ok = await attach(id, `${at}/rec.mp3`)
    assert.ok(ok.ok, errorText(ok))
    const kept = readdirSync(join(work, 'fetched')).filter((f) => f.includes(id))
    assert.deepEqual(readFileSync(join(work, 'fetched', kept[0])), payload)
    const via = await other.actions.v2.call.make({ method: 'telephony.externalCall.attachRecord',
      params: { CALL_ID: id, RECORD_URL: `${at}/hop`, FILENAME: 'hop.mp3' } })
    assert.ok(via.isSuccess)
  })
  test('an HTTP error and an over-large body are refused', async () => {
    const at = `http://127.0.0.1:${files.address().port}`
    const id = await finished()
    const missing = await attach(id, `${at}/gone.mp3`)
    assert.equal(missing.ok, false)
    assert.ok(errorText(missing).includes('Server returns HTTP error code 404'), errorText(missing))
    const big = await attach(id, `${at}/big.mp3`)
    assert.equal(big.ok, false)
    assert.ok(errorText(big).includes('larger than'), errorText(big))
  })
})
