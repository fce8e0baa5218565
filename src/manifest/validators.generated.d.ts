// Types of the validators that scripts/codegen/10-validators.mjs builds (the .js is a build output, not committed).
export interface AjvError {
  instancePath: string
  schemaPath: string
  keyword: string
  params: Record<string, any>
  message?: string
  schema?: unknown
  parentSchema?: Record<string, any>
  data?: unknown
}
export interface Validator {
  (data: unknown): boolean
  errors?: AjvError[] | null
}
export const backendService: Validator
export const environment: Validator
export const loadBalancedWebService: Validator
export const requestDrivenWebService: Validator
export const scheduledJob: Validator
export const staticSite: Validator
export const workerService: Validator
export const workspace: Validator
/** JSON {$defs, kinds}: kinds maps a schema file name (without .json) to its schema trimmed to properties, items, $ref, x-expect, description; $defs holds the shared definitions. */
export const schemaMetaJson: string
