// Writing results: data on stdout, status lines on stderr (Copilot's style guide).

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
}

export function printData(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printStatus(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}

export function success(text: string): void {
  printStatus(`${useColor(process.stderr) ? '\u001B[32m✔\u001B[39m' : '✔'} ${text}`)
}

/** A plain table: header row and columns padded to their widest cell. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
