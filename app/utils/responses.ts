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

