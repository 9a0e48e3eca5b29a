// Sync a sync file into a brand-new Mapeo device, exactly as Mapeo Desktop's
// "Synchronize with sync file" does, and print what the device then holds.
//
// usage: node mapeo-sync.js SYNCFILE PROJECTKEY|none WORKDIR
//        node mapeo-sync.js --reopen PROJECTKEY|none WORKDIR
// prints one JSON line: {"ok":true,"observations":N,"ids":[...],"media":N}
// or {"ok":false,"error":"<message Mapeo shows>"}
// or {"ok":"reopen",...} with exit status 3: every block and photo arrived
// but Mapeo's indexer lost a race with the replication ("Block not
// downloaded") and waits for ever, as a fresh device can do in Desktop too
// (whatever the file). The caller then opens the device again (--reopen),
// as a user restarts Mapeo, and the counts come from that second start; a
// file with real holes still hangs there.
// The sync file is copied into WORKDIR first: Mapeo rewrites every file it
// syncs with, and the file under test must stay as syncdoctor wrote it.
'use strict'
const fs = require('fs')
const path = require('path')
const Mapeo = require('@mapeo/core')
const osmdb = require('osm-p2p')
const blobstore = require('safe-fs-blob-store')

const [file, keyArg, work] = process.argv.slice(2)
if (!file || !keyArg || !work) {
  console.error('usage: node mapeo-sync.js SYNCFILE PROJECTKEY|none WORKDIR')
  process.exit(64)
}
const projectKey = keyArg === 'none' ? undefined : keyArg
const reopen = file === '--reopen'
fs.mkdirSync(work, { recursive: true })
const copy = path.join(work, 'copy.mapeodata')
if (!reopen) fs.copyFileSync(file, copy)

const osm = osmdb({ dir: path.join(work, 'device'), encryptionKey: projectKey })
const media = blobstore(path.join(work, 'device', 'media'))
const mapeo = new Mapeo(osm, media, { id: 'syncdoctor-interop', writeFormat: 'osm-p2p-syncfile' })

let done = false
function finish (result) {
  if (done) return
  done = true
  process.stdout.write(JSON.stringify(result) + '\n')
  mapeo.sync.close ? mapeo.sync.close(() => process.exit(0)) : process.exit(0)
  setTimeout(() => process.exit(0), 2000).unref()
}
mapeo.on('error', (err) => finish({ ok: false, error: String(err && err.message) }))
// The spatial indexer can race replication ("Block not downloaded") and
// catches up on its own; Desktop does not crash on it either.
const indexErrors = []
osm.on('error', (err) => indexErrors.push(String(err && err.message)))
const timer = setTimeout(() => finish({ ok: false, error: 'timed out (Mapeo would hang here)' }), 120000)

function list () {
  mapeo.observationList((err, list) => {
    if (err) return finish({ ok: false, error: String(err.message) })
    const ids = list.map((o) => o.id).sort()
    const keys = []
    listMedia(path.join(work, 'device', 'media'), keys)
    finish({ ok: true, observations: list.length, ids, media: keys.length })
  })
}

if (reopen) {
  osm.ready(list)
} else osm.ready(() => {
  let complete = 0
  const watch = setInterval(() => {
    const raced = indexErrors.length > 0 && indexErrors.every((e) => e === 'Block not downloaded')
    if (!raced || !complete || Date.now() - complete < 3000) return
    clearInterval(watch)
    clearTimeout(timer)
    done = true
    process.stdout.write(JSON.stringify({ ok: 'reopen', indexErrors }) + '\n')
    process.exit(3)
  }, 500)
  watch.unref()
  const sync = mapeo.sync.replicate({ filename: copy }, { projectKey })
  sync.on('error', (err) => { clearTimeout(timer); finish({ ok: false, error: String(err && err.message) }) })
  sync.on('progress', (p) => {
    const all = p.db.sofar >= p.db.total && p.media.sofar >= p.media.total
    complete = all ? (complete || Date.now()) : 0
  })
  sync.on('end', () => {
    clearTimeout(timer)
    clearInterval(watch)
    list()
  })
})

function listMedia (dir, out) {
  // safe-fs-blob-store keeps <dir>/<kind>/<2 chars>/<id>
  for (const kind of ['original', 'preview', 'thumbnail']) {
    const k = path.join(dir, kind)
    if (!fs.existsSync(k)) continue
    for (const pre of fs.readdirSync(k)) {
      for (const f of fs.readdirSync(path.join(k, pre))) out.push(kind + '/' + f)
    }
  }
}
