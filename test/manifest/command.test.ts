// A command or entry point written as one string: split into words as Copilot split it (POSIX-shell
// quoting and backslash escapes), and refused at its field when a quote is left open.
import {describe, expect, it} from 'vitest'

import {resolveWorkloadText} from '../../src/manifest/index.js'
import {commandList} from '../../src/render/workload/commands.js'
import {parseCommandFlag} from '../../src/cli/key-values.js'
import {UserError} from '../../src/errors.js'

const manifest = (extra: string) => `name: web\ntype: Backend Service\nimage: {location: nginx, port: 80}\n${extra}`
const diagnostics = (extra: string) =>
  resolveWorkloadText({file: 'm.yml', text: manifest(extra), app: 'demo', environments: [], vars: {}}).diagnostics
    .map((d) => `${d.code} ${d.path} ${d.line}:${d.col}`)

describe('command strings', () => {
  it('split with quotes, escapes and empty words, as Copilot split them', () => {
    expect(commandList(`sh -c "echo 'hi there'; exit 3"`)).toEqual(['sh', '-c', "echo 'hi there'; exit 3"])
    expect(commandList(`a '' b`)).toEqual(['a', '', 'b'])
    expect(commandList(String.raw`echo "say \"hi\"" it\'s`)).toEqual(['echo', 'say "hi"', "it's"])
    expect(commandList(String.raw`printf 'a\nb'`)).toEqual(['printf', String.raw`a\nb`])
    expect(commandList('npm  start # the default')).toEqual(['npm', 'start'])
    expect(commandList('curl http://x/#top')).toEqual(['curl', 'http://x/#top'])
    expect(commandList(['a b', 'c'])).toEqual(['a b', 'c'])
    expect(commandList(undefined)).toBeUndefined()
  })

  it('are refused at their field when a quote is left open, for the main container and sidecars', () => {
    expect(diagnostics(`command: sh -c "echo hi\n`)).toEqual(['invalid-command command 4:10'])
    expect(diagnostics(`entrypoint: "/bin/sh -c 'x"\n`)).toEqual(['invalid-command entrypoint 4:13'])
    expect(diagnostics(`sidecars:\n  log:\n    image: fluent\n    command: "echo 'open"\n`)).toEqual(['invalid-command sidecars.log.command 7:14'])
    expect(diagnostics(`command: [sh, -c, "echo 'open"]\nentrypoint: "/bin/sh -c 'x'"\n`)).toEqual([])
  })

  it('given to task run --command, a quote left open is a clear refusal', () => {
    expect(parseCommandFlag('--command', `sh -c 'exit 3'`)).toEqual(['sh', '-c', 'exit 3'])
    expect(() => parseCommandFlag('--command', `sh -c 'exit 3`)).toThrow(UserError)
    expect(() => parseCommandFlag('--command', `sh -c 'exit 3`)).toThrow(/--command cannot be split into words: the command has an unterminated single quote/)
  })
})
