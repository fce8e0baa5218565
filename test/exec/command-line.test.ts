import {describe, expect, it} from 'vitest'

import {quoteWord, splitCommandLine} from '../../src/exec/command-line.js'

describe('splitCommandLine', () => {
  it('ends a comment at the end of its line, not of the command', () => {
    expect(splitCommandLine('a # note\nb c')).toEqual(['a', 'b', 'c'])
    expect(splitCommandLine('#only a comment')).toEqual([])
    // A # inside a word is a character of it.
    expect(splitCommandLine('a#b')).toEqual(['a#b'])
  })

  it('drops a backslash left at the very end, and escapes any other character', () => {
    expect(splitCommandLine('echo a\\')).toEqual(['echo', 'a'])
    expect(splitCommandLine('echo \\')).toEqual(['echo'])
    expect(splitCommandLine('a\\ b \\"c')).toEqual(['a b', '"c'])
  })

  it('names the kind of quote left open', () => {
    expect(() => splitCommandLine('echo "abc')).toThrow(/^the command has an unterminated double quote$/)
    expect(() => splitCommandLine('echo "abc\\')).toThrow(/^the command has an unterminated double quote$/)
    expect(() => splitCommandLine("echo 'abc")).toThrow(/^the command has an unterminated single quote$/)
  })

  it('reads back every word quoteWord wrote', () => {
    const words = ['', "it's", 'a b', '"q"', '\\', '#x', '$HOME;|']
    expect(splitCommandLine(words.map(quoteWord).join(' '))).toEqual(words)
  })
})
