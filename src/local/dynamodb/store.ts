// Tables of the local DynamoDB: one document per table under `<stateDir>/dynamodb/tables/`, holding its
// definition and items, rewritten atomically on every acknowledged write (fine for the table sizes a
// local run has; not meant for millions of items).

import {mkdirSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {JsonDocument} from '../store/json-file.js'
import {keyString, validation, type AttributeValue, type Item} from './values.js'

export interface KeyDef {
  hash: string
  range?: string | undefined
}

export interface IndexDef extends KeyDef {
  name: string
  projection: Record<string, unknown>
  throughput?: Record<string, unknown> | undefined
}

export interface TableDef {
  name: string
  arn: string
  id: string
  createdAt: number
  key: KeyDef
  attributes: {AttributeName: string; AttributeType: string}[]
  gsis: IndexDef[]
  lsis: IndexDef[]
  billingMode: string
  throughput?: Record<string, unknown> | undefined
  stream?: Record<string, unknown> | undefined
  ttl?: {AttributeName: string; Enabled: boolean} | undefined
  sse?: Record<string, unknown> | undefined
  tags: {Key: string; Value: string}[]
  deletionProtection?: boolean | undefined
}

interface TableDoc {
  def: TableDef
  items: Item[]
}

export class Table {
  readonly items = new Map<string, Item>()

  constructor(private readonly doc: JsonDocument<TableDoc>) {
    for (const item of doc.value.items) this.items.set(this.keyOf(item), item)
  }

  get def(): TableDef {
    return this.doc.value.def
  }

  /** The key attributes of an item (or of a Key argument), checked against the schema. */
  key(item: Item, what = 'key'): Item {
    const out: Item = {}
    for (const name of [this.def.key.hash, this.def.key.range]) {
      if (!name) continue
      const v = item[name]
      if (v === undefined || !Object.hasOwn(item, name)) throw validation(`One or more parameter values were invalid: Missing the ${what} ${name} in the item`)
      const type = this.def.attributes.find((a) => a.AttributeName === name)?.AttributeType
      if (type && v[type] === undefined) {
        throw validation(`One or more parameter values were invalid: Type mismatch for key ${name} expected: ${type} actual: ${Object.keys(v)[0]}`)
      }
      if (type === 'S' && v.S === '') throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${name}`)
      out[name] = v
    }
    return out
  }

  keyOf(item: Item): string {
    return JSON.stringify([keyString(item[this.def.key.hash]), keyString(this.def.key.range ? item[this.def.key.range] : undefined)])
  }

  get(key: Item): Item | undefined {
    return this.items.get(this.keyOf(this.key(key)))
  }

  put(item: Item): void {
    this.items.set(this.keyOf(item), item)
    this.persist()
  }

  delete(key: Item): void {
    this.items.delete(this.keyOf(key))
    this.persist()
  }

  /** Several writes, persisted once. */
  batch(writes: {put?: Item; delete?: Item}[]): void {
    for (const w of writes) {
      if (w.put) this.items.set(this.keyOf(w.put), w.put)
      else if (w.delete) this.items.delete(this.keyOf(w.delete))
    }
    this.persist()
  }

  update(change: (def: TableDef) => void): void {
    change(this.doc.value.def)
    this.doc.save()
  }

  private persist(): void {
    this.doc.value.items = [...this.items.values()]
    // Safe against the control plane dying; only a crash of the machine may lose the last write.
    this.doc.saveUnflushed()
  }

  flush(): void {
    this.doc.flush()
  }

  get path(): string {
    return this.doc.path
  }
}

export class TableStore {
  private readonly dir: string
  private readonly tables = new Map<string, Table>()

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'dynamodb', 'tables')
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue
      const doc = new JsonDocument<TableDoc>(join(this.dir, file), undefined as unknown as TableDoc)
      if (doc.value?.def) this.tables.set(doc.value.def.name, new Table(doc))
    }
  }

  get(name: string): Table | undefined {
    return this.tables.get(name)
  }

  names(): string[] {
    return [...this.tables.keys()].sort()
  }

  create(def: TableDef): Table {
    // Table names allow [a-zA-Z0-9_.-]: safe as a file name.
    const doc = new JsonDocument<TableDoc>(join(this.dir, `${def.name}.json`), {def, items: []})
    doc.value = {def, items: []}
    doc.save()
    const table = new Table(doc)
    this.tables.set(def.name, table)
    return table
  }

  remove(name: string): void {
    const t = this.tables.get(name)
    if (!t) return
    this.tables.delete(name)
    rmSync(t.path, {force: true})
  }

  flush(): void {
    for (const t of this.tables.values()) t.flush()
  }
}

export type {AttributeValue, Item}
