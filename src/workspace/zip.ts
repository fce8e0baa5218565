// A deterministic zip of a file or a directory (Deflate, entries in name order, fixed timestamps), so
// the same code gives the same archive and the same content-addressed key in S3: an unchanged Lambda
// is not redeployed. Written against PKWARE's APPNOTE 6.3 (local headers, central directory, end record).
import {crc32, deflateRawSync} from 'node:zlib'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, basename} from 'node:path'

// 1980-01-01 00:00 in MS-DOS form: the earliest a zip can hold, fixed so archives are reproducible.
const DOS_TIME = 0
const DOS_DATE = (0 << 9) | (1 << 5) | 1

function filesOf(root: string): {name: string; path: string; mode: number}[] {
  const st = statSync(root)
  if (!st.isDirectory()) return [{name: basename(root), path: root, mode: st.mode}]
  const out: {name: string; path: string; mode: number}[] = []
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry)
      const s = statSync(p)
      if (s.isDirectory()) walk(p, `${prefix}${entry}/`)
      else if (s.isFile()) out.push({name: `${prefix}${entry}`, path: p, mode: s.mode})
    }
  }
  walk(root, '')
  return out
}

/** A zip of a file (as its base name) or of a directory's files (by their paths inside it). */
export function zipPath(root: string): Buffer {
  return zipEntries(filesOf(root).map((f) => ({name: f.name, data: readFileSync(f.path), mode: f.mode})))
}

/** A zip of the given entries, in the order given; `mode` is the Unix mode kept for each (0o644 if absent). */
export function zipEntries(entries: {name: string; data: Buffer; mode?: number}[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const f of entries) {
    const data = f.data
    const packed = deflateRawSync(data)
    const name = Buffer.from(f.name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6) // names are UTF-8
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by: Unix, so the mode below is read (executables stay executable)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE((((f.mode ?? 0o644) & 0o777) | 0o100000) << 16 >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name)
    offset += local.length + name.length + packed.length
  }
  const dir = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(centrals.length / 2, 8)
  end.writeUInt16LE(centrals.length / 2, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dir, end])
}
