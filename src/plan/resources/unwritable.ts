/**
 * Thrown by a resource's write() for a value no call can produce: a read-only
 * resource (the bucket ACL), or a state that cannot be returned to (Object
 * Lock off). Its one-line message reaches the operator as it is.
 */
export class UnwritableValueError extends Error {
  override name = 'UnwritableValueError';
}
