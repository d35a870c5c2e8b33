const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Every id in the schema is a uuid: anything else in a URL is simply something that does not exist. */
export function isUuid(value: string | null | undefined): value is string {
	return typeof value === 'string' && uuidPattern.test(value)
}
