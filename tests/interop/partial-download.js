// partial-download.js NODE_MODULES SRC DST START END
//
// Makes the feed a sync leaves when it stops half way: DST gets blocks
// START..END-1 of the hypercore feed in SRC, downloaded over replication
// with the hypercore the sync file side of Mapeo runs (osm-p2p-syncfile's
// own hypercore 6), then the feeds are closed. What it writes (the blocks,
// the tree nodes and the one signature their proofs brought, a bitfield
// that marks them) is what tests/data/partial-download holds.
const path = require('path')
const [nm, srcDir, dstDir, start, end] = process.argv.slice(2)
const hypercore = require(path.join(nm, 'osm-p2p-syncfile', 'node_modules', 'hypercore'))

const src = hypercore(srcDir)
src.ready(() => {
  const dst = hypercore(dstDir, src.key, { sparse: true })
  dst.ready(() => {
    const a = src.replicate({ live: true })
    const b = dst.replicate({ live: true })
    a.pipe(b).pipe(a)
    dst.download({ start: +start, end: +end }, (err) => {
      if (err) throw err
      a.destroy()
      b.destroy()
      dst.close(() => src.close(() => console.log(dst.length, dst.downloaded())))
    })
  })
})
