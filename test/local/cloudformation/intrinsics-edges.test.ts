// Intrinsic functions at their edges: the last index and one past it, argument counts, values only known
// after apply, malformed arguments, and CIDR limits. Each case here was a change the main table let pass.
import {describe, expect, it} from 'vitest'
import {
  cidr, evaluate, evaluateConditions, getAttTarget, intrinsicName, KNOWN_AFTER_APPLY, pseudoParameters, subReferences, TemplateError, type EvalContext,
} from '../../../src/local/cloudformation/intrinsics.js'

function ctx(over: Partial<EvalContext> = {}): EvalContext {
  return {
    region: 'eu-west-1',
    params: {Env: 'test', Subnets: ['subnet-a', 'subnet-b'], Count: 3, Obj: {a: 1}},
    pseudo: pseudoParameters({region: 'eu-west-1', accountId: '000000000000', stackName: 'demo-test', stackId: 'id'}),
    conditions: {IsProd: false, IsTest: true},
    mappings: {Sizes: {test: {Cpu: 256}}},
    resource: (id) => (id === 'Vpc' ? {physicalId: 'vpc-0abc', attributes: {CidrBlock: '10.0.0.0/16'}} : id === 'Later' ? KNOWN_AFTER_APPLY : undefined),
    importValue: (name) => `imported-${name}`,
    ...over,
  }
}

const ev = (v: unknown) => evaluate(v, ctx())
const fails = (v: unknown, message: string) => expect(() => ev(v)).toThrow(new TemplateError(message))

describe('Fn::Select boundaries', () => {
  it('selects the first and the last item', () => {
    expect(ev({'Fn::Select': [0, ['a', 'b', 'c']]})).toBe('a')
    expect(ev({'Fn::Select': [2, ['a', 'b', 'c']]})).toBe('c')
    expect(ev({'Fn::Select': ['1', {Ref: 'Subnets'}]})).toBe('subnet-b')
  })
  it.each([
    ['one past the end', 3, 'Fn::Select cannot select nonexistent value at index 3'],
    ['negative', -1, 'Fn::Select cannot select nonexistent value at index -1'],
    ['fractional', 1.5, 'Fn::Select cannot select nonexistent value at index 1.5'],
    ['not a number', 'x', 'Fn::Select cannot select nonexistent value at index x'],
  ])('refuses an index %s', (_name, index, message) => fails({'Fn::Select': [index, ['a', 'b', 'c']]}, message))
  it('refuses an empty list and a non-list', () => {
    fails({'Fn::Select': [0, []]}, 'Fn::Select cannot select nonexistent value at index 0')
    fails({'Fn::Select': [0, 'abc']}, 'Fn::Select requires a list argument')
  })
})

describe('argument counts', () => {
  it.each([
    [{'Fn::Select': [0]}, 'Fn::Select requires a list of 2 arguments'],
    [{'Fn::Join': '-'}, 'Fn::Join requires a list of 2 arguments'],
    [{'Fn::If': ['IsProd', 'a']}, 'Fn::If requires a list of 3 arguments'],
    [{'Fn::Not': [{Condition: 'IsProd'}, {Condition: 'IsTest'}]}, 'Fn::Not requires a list of 1 argument'],
    [{'Fn::FindInMap': 'Sizes'}, 'Fn::FindInMap requires a list of 3 arguments'],
    [{'Fn::And': [{Condition: 'IsTest'}]}, 'Fn::And requires 2 to 10 conditions'],
    [{'Fn::Or': Array(11).fill({Condition: 'IsTest'})}, 'Fn::Or requires 2 to 10 conditions'],
    [{'Fn::And': {Condition: 'IsTest'}}, 'Fn::And requires 2 to 10 conditions'],
    [{'Fn::Transform': {Name: 'AWS::Include'}}, 'Fn::Transform is not supported by the local control plane'],
  ])('%j fails: %s', (input, message) => fails(input, message))

  it('takes 2 and 10 conditions', () => {
    expect(ev({'Fn::Or': [...Array(9).fill({Condition: 'IsProd'}), {Condition: 'IsTest'}]})).toBe(true)
    expect(ev({'Fn::And': [{Condition: 'IsTest'}, {Condition: 'IsTest'}]})).toBe(true)
  })
})

describe('values known only after apply', () => {
  it.each([
    ['Join', {'Fn::Join': ['-', {Ref: 'Later'}]}],
    ['Select', {'Fn::Select': [0, {Ref: 'Later'}]}],
    ['Split', {'Fn::Split': [',', {Ref: 'Later'}]}],
    ['ImportValue', {'Fn::ImportValue': {Ref: 'Later'}}],
    ['Base64', {'Fn::Base64': {Ref: 'Later'}}],
    ['GetAtt', {'Fn::GetAtt': ['Later', 'Arn']}],
    ['Sub of an attribute', {'Fn::Sub': '${Later.Arn}'}],
  ])('%s passes the marker on', (_name, input) => expect(ev(input)).toBe(KNOWN_AFTER_APPLY))
})

describe('values and their types', () => {
  it('joins numbers and booleans, refuses objects', () => {
    expect(ev({'Fn::Join': ['', ['a', 1, true]]})).toBe('a1true')
    fails({'Fn::Join': ['', ['a', {b: 1}]]}, 'every value of Fn::Join must be a string')
    fails({'Fn::Split': [',', ['a']]}, 'every value of Fn::Split must be a string')
  })
  it('compares objects by their JSON, and null as null', () => {
    expect(ev({'Fn::Equals': [{Ref: 'Obj'}, '{"a":1}']})).toBe(true)
    expect(ev({'Fn::Equals': [null, 'null']})).toBe(true)
    expect(ev({'Fn::Equals': [{Ref: 'Obj'}, '[object Object]']})).toBe(false)
  })
  it('encodes Base64 from UTF-8', () => {
    expect(ev({'Fn::Base64': 'é'})).toBe('w6k=')
  })
  it('substitutes trimmed names, numbers, and refuses objects', () => {
    expect(ev({'Fn::Sub': '${ Env }-${Count}'})).toBe('test-3')
    fails({'Fn::Sub': '${Obj}'}, 'every value of Fn::Sub must be a string')
    fails({'Fn::Sub': ['${A}', 'not a map']}, 'Fn::Sub requires a string and a map of variables')
    fails({'Fn::Sub': ['${A}', {A: 1}, 'extra']}, 'Fn::Sub requires a string and a map of variables')
    fails({'Fn::Sub': 42}, 'Fn::Sub requires a string')
  })
  it('finds mappings and says which one is missing', () => {
    expect(ev({'Fn::FindInMap': ['Sizes', 'test', 'Cpu']})).toBe(256)
    fails({'Fn::FindInMap': ['Nope', 'test', 'Cpu']}, 'Unable to get mapping for Nope::test::Cpu')
    fails({'Fn::FindInMap': ['Sizes', 'prod', 'Cpu']}, 'Unable to get mapping for Sizes::prod::Cpu')
  })
  it('gives the availability zones of the named region', () => {
    expect(ev({'Fn::GetAZs': 'us-west-2'})).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c'])
    expect(ev({'Fn::GetAZs': ''})).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c'])
  })
  it('names its errors TemplateError', () => {
    const error = (() => {
      try {
        ev({Ref: 'Nope'})
      } catch (e) {
        return e as Error
      }
    })()
    expect(error).toBeInstanceOf(TemplateError)
    expect(error?.name).toBe('TemplateError')
  })
})

describe('Fn::GetAtt targets', () => {
  it('splits the string form at the first dot and computes the list form’s attribute', () => {
    expect(getAttTarget('Db.Endpoint.Port')).toEqual(['Db', 'Endpoint.Port'])
    expect(getAttTarget(['Vpc', {'Fn::Join': ['', ['Cidr', 'Block']]}], ctx())).toEqual(['Vpc', 'CidrBlock'])
    expect(getAttTarget(['Vpc', {Ref: 'Env'}])).toEqual(['Vpc', ''])
    expect(ev({'Fn::GetAtt': ['Vpc', {'Fn::Join': ['', ['Cidr', 'Block']]}]})).toBe('10.0.0.0/16')
  })
  it.each([['.Arn'], ['NoDot'], [['Vpc']], [['Vpc', 'A', 'B']], [[1, 'Arn']], [{Vpc: 'Arn'}]])('refuses %j', (arg) => {
    expect(() => getAttTarget(arg)).toThrow(new TemplateError('Fn::GetAtt requires a list of a resource name and an attribute name'))
  })
  it('refuses a resource not in the template', () => {
    fails({'Fn::GetAtt': ['Nope', 'Arn']}, 'Unresolved resource dependencies [Nope] in the Resources block of the template')
  })
})

describe('intrinsic names and Sub references', () => {
  it.each([
    [{Ref: 'x'}, 'Ref'],
    [{'Fn::Sub': 'x'}, 'Fn::Sub'],
    [{Ref: 'x', Other: 1}, undefined],
    [{Reference: 'x'}, undefined],
    [['Ref'], undefined],
    [null, undefined],
    ['Ref', undefined],
  ])('intrinsicName(%j) is %s', (v, want) => expect(intrinsicName(v)).toBe(want))

  it('lists the names a Sub string refers to, without literals', () => {
    expect(subReferences('${A}-${ B.Arn }-${!C}-$D-${}')).toEqual(['A', 'B.Arn', ''])
    expect(subReferences('none')).toEqual([])
  })
})

describe('conditions at their edges', () => {
  it('evaluates a condition named inside Fn::If of another first', () => {
    const out = evaluateConditions({
      UsesIf: {'Fn::Equals': [{'Fn::If': ['Later', 'x', 'y']}, 'x']},
      Later: {'Fn::Equals': [{Ref: 'Env'}, 'test']},
    }, ctx())
    expect(out).toEqual({UsesIf: true, Later: true})
  })
  it('does not take the first string of another function’s list for a condition name', () => {
    expect(evaluateConditions({Named: {'Fn::Equals': ['test', {Ref: 'Env'}]}, Other: {'Fn::Not': [{'Fn::Equals': ['x', 'y']}]}}, ctx())).toEqual({Named: true, Other: true})
  })
  it('names the unknown condition and the circle', () => {
    expect(() => evaluateConditions({A: {Condition: 'Missing'}}, ctx())).toThrow(
      new TemplateError('Unresolved dependencies [Missing]. Cannot reference resources in the Conditions block of the template'),
    )
    expect(() => evaluateConditions({A: {'Fn::Not': [{Condition: 'B'}]}, B: {'Fn::Not': [{Condition: 'A'}]}}, ctx())).toThrow(
      new TemplateError('Circular dependency between conditions: [A, B]'),
    )
  })
  it('refuses a condition that is not a boolean, also one that looks like a Condition reference', () => {
    fails({'Fn::Not': ['yes']}, 'Conditions can only be boolean operations on parameters')
    fails({'Fn::Not': [{Condition: 'IsTest', Extra: 1}]}, 'Conditions can only be boolean operations on parameters')
    fails({'Fn::And': [true, {Condition: 'Nope'}]}, 'Unresolved condition dependency Nope in Fn::If')
  })
})

describe('Fn::Cidr at its limits', () => {
  it('keeps every octet of the base address and masks the host bits', () => {
    expect(cidr('10.1.2.3/32', 1, 0)).toEqual(['10.1.2.3/32'])
    expect(cidr('10.0.0.77/24', 2, 4)).toEqual(['10.0.0.0/28', '10.0.0.16/28'])
    expect(cidr('0.0.0.0/0', 2, 31)).toEqual(['0.0.0.0/1', '128.0.0.0/1'])
    expect(cidr('10.0.0.0/0', 1, 32)).toEqual(['0.0.0.0/0'])
    expect(cidr('255.255.255.0/24', 1, 8)).toEqual(['255.255.255.0/24'])
  })
  it('takes 1 and 256 blocks, and refuses 0 and 257', () => {
    expect(cidr('10.0.0.0/16', 256, 0)).toHaveLength(256)
    expect(cidr('10.0.0.0/16', 1, 16)).toEqual(['10.0.0.0/16'])
    expect(() => cidr('10.0.0.0/16', 0, 8)).toThrow(new TemplateError('Fn::Cidr cannot carve 0 blocks of 8 bits out of 10.0.0.0/16'))
    expect(() => cidr('10.0.0.0/8', 257, 8)).toThrow(new TemplateError('Fn::Cidr cannot carve 257 blocks of 8 bits out of 10.0.0.0/8'))
  })
  it.each([
    ['10.0.0.0/16', 1, 17],
    ['10.0.0.0/16', 1, -1],
    ['10.0.0.0/16', 1.5, 8],
    ['10.0.0.0/16', 1, 8.5],
  ])('refuses %s, %s blocks of %s bits', (block, count, bits) => {
    expect(() => cidr(block, count, bits)).toThrow(new TemplateError(`Fn::Cidr cannot carve ${count} blocks of ${bits} bits out of ${block}`))
  })
  it.each([['10.0.0.0/33'], ['10.0.0.0/-1'], ['10.0.0.0/x'], ['10.0.0.0'], ['/16']])('refuses the block %s', (block) => {
    expect(() => cidr(block, 1, 0)).toThrow(new TemplateError(`Invalid CIDR block ${block}`))
  })
  it.each([['10.0.0.256'], ['10.0.0'], ['10.0.0.-1'], ['10.0.0.1.5'], ['a.b.c.d']])('refuses the address %s', (ip) => {
    expect(() => cidr(`${ip}/24`, 1, 8)).toThrow(new TemplateError(`Invalid CIDR block ${ip}`))
  })
  it('is reached through the intrinsic', () => {
    expect(ev({'Fn::Cidr': [{'Fn::GetAtt': ['Vpc', 'CidrBlock']}, '2', '8']})).toEqual(['10.0.0.0/24', '10.0.1.0/24'])
  })
})
