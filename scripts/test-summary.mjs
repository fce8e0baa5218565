// Prints vitest's JSON results as one closing line: "Tests: N passed, N failed, N skipped".
import {existsSync, readFileSync} from 'node:fs'

const file = process.argv[2] ?? 'test-results.json'
if (!existsSync(file)) process.exit(0)
const r = JSON.parse(readFileSync(file, 'utf8'))
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`)
