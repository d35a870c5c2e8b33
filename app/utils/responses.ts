import { data } from '@remix-run/node'

/** Throws a Response for an expected failure (Epic Stack's invariantResponse). */
export function invariantResponse(
	condition: unknown,
	message: string,
	init: ResponseInit = { status: 400 },
): asserts condition {
	if (!condition) {
		throw data(message, init)
	}
}

/** A 404 with a message for the person who followed the link. */
export const notFound = (message = 'Page not found.') => data(message, { status: 404 })

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A forged or mangled id in a URL is simply something that does not exist. */
export function isUuid(value: string | undefined): value is string {
	return typeof value === 'string' && uuidPattern.test(value)
}
