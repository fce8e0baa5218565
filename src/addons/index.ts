// Addons and overrides, the pure core: parsing CloudFormation YAML with positions, merging addon
// templates, checking their parameters, classifying their outputs, applying YAML patches, and the
// templates `storage init` writes. No file system, no SDK.
export {escapePointer, parseCfnYaml, type Json, type ParsedYaml, type Position} from './cfn-yaml.js'
export {mergeTemplates, sameValue} from './merge.js'
export {checkParameters, checkParentReferences, ENVIRONMENT_RESERVED, parameterValues, WORKLOAD_RESERVED} from './parameters.js'
export {type AddonOutput, classifyOutputs, type OutputKind, toSnakeCase} from './outputs.js'
export {applyPatches, checkPatchFile, PATCH_FILE, parsePointer} from './patches.js'
export {type AddonDiagnostic, problemAt, syntaxProblems} from './problems.js'
export {type AddonFiles, type AddonsStack, buildAddonsStack} from './stack.js'
export {isLocalPath, type LocalAsset, localAssets, type S3Object, withUploadedAssets} from './assets.js'
