// The local S3: the object store, its REST service behind the frontend, and the reader CloudFormation
// uses for TemplateURL (straight from the store, never over the network).

import {ServiceError} from '../frontend/types.js'
import {addressOfUrl} from './addressing.js'
import {S3Service} from './service.js'
import {ObjectStore} from './store.js'

export {ObjectStore} from './store.js'
export {S3Service, MAX_OBJECT_SIZE} from './service.js'

/** CloudFormation's limit for a template read from S3. */
export const TEMPLATE_URL_LIMIT = 1_000_000

export interface LocalS3 {
  store: ObjectStore
  service: S3Service
  /** Reads a TemplateURL (an S3 URL in any of AWS's forms, or this endpoint's own path-style URL). */
  fetchTemplate(url: string): Promise<string>
}

export function createS3(opts: {stateDir: string; region: string; accountId: string; port?: () => number | undefined}): LocalS3 {
  const store = new ObjectStore(opts.stateDir)
  const service = new S3Service(store, opts)
  return {
    store,
    service,
    async fetchTemplate(url) {
      const address = addressOfUrl(url, opts.port?.())
      if (!address) {
        throw new ServiceError('ValidationError', `not an S3 object URL: use https://<bucket>.s3.<region>.amazonaws.com/<key>, or this endpoint's own http://127.0.0.1:${opts.port?.() ?? '<port>'}/<bucket>/<key>.`)
      }
      const object = store.bucket(address.bucket)?.objects[address.key]
      // AWS does not tell a missing bucket from a missing key or a denied one.
      if (!object) throw new ServiceError('ValidationError', 'S3 error: Access Denied (no such bucket or key in the local S3)')
      if (object.size > TEMPLATE_URL_LIMIT) throw new ServiceError('ValidationError', `Template may not exceed ${TEMPLATE_URL_LIMIT} bytes in size.`)
      return store.read(object).toString('utf8')
    },
  }
}
