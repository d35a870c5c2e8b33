import { createHash } from 'node:crypto'
import type { AppLoadContext } from '@remix-run/node'
import { prefersJsonLd } from '#app/publication/negotiation.ts'
import { annotationMediaType, preferIris, toWebAnnotation } from '#app/publication/web-annotation.ts'
import { isUuid } from '#db/ids.ts'
import { publicationUrls } from '#server/publication/urls.ts'
import { audienceCacheControl, publishedGrant, type PublishedGrant, type PublishedTarget } from '#server/publication/audience.ts'
import { getUser } from './session.server.ts'

/**
 * The HTTP side of the Web Annotation Protocol
 * (https://www.w3.org/TR/annotation-protocol/): negotiation, ETags,
 * conditional requests, the Link types and the read-only method set, for
 * single annotations (/a/:id, /a/:id/v/:n) and for edition containers.
 * The documents themselves come from app/publication/web-annotation.ts.
 */

export { prefersJsonLd } from '#app/publication/negotiation.ts'

/** The published layer is read-only over the protocol: annotations are written through moderation. */
export const readOnlyMethods = 'GET,HEAD,OPTIONS'

export const ldpTypes = {
	resource: '<http://www.w3.org/ns/ldp#Resource>; rel="type"',
	basicContainer: '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"',
	constrainedBy: '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"',
} as const

/**
 * Public, credential-free data: any origin may read it (protocol §3.1 asks
 * servers to support CORS), and scripts may see the protocol's headers.
 */
const corsHeaders = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': 'ETag, Link, Allow, Vary, Content-Location, Preference-Applied',
}

/** A strong ETag: the SHA-256 of the exact bytes served, so equal bodies share it and any change shows. */
export function strongEtag(body: string): string {
	return `"${createHash('sha256').update(body).digest('base64url')}"`
}

/** Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 §13.1.2 says for this header). */
export function ifNoneMatchHits(request: Request, etag: string): boolean {
	const header = request.headers.get('If-None-Match')
	if (!header) return false
	if (header.trim() === '*') return true
	const opaque = etag.replace(/^W\//, '')
	return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque)
}

/**
 * A JSON-LD answer with its ETag, or a 304 with the same headers when the
 * client already has these bytes. Remix answers HEAD from the same
 * Response with the body dropped, so HEAD carries every header here.
 */
export function jsonLdResponse(request: Request, document: unknown, headers: Record<string, string>): Response {
	const body = JSON.stringify(document)
	const etag = strongEtag(body)
	const all = new Headers({
		'Content-Type': annotationMediaType,
		ETag: etag,
		'Cache-Control': 'public, no-cache',
		...corsHeaders,
		...headers,
	})
	if (ifNoneMatchHits(request, etag)) {
		all.delete('Content-Type')
		return new Response(null, { status: 304, headers: all })
	}
	return new Response(body, { status: 200, headers: all })
}

/** An error as JSON-LD, in Hydra's vocabulary for errors (https://www.hydra-cg.com/spec/latest/core/#hydra:Error). */
export function jsonLdError(status: number, title: string, description: string, headers: Record<string, string> = {}): Response {
	return new Response(
		JSON.stringify({ '@context': 'http://www.w3.org/ns/hydra/context.jsonld', '@type': 'Error', title, description, statusCode: status }),
		{ status, headers: { 'Content-Type': 'application/ld+json', ...corsHeaders, ...headers } },
	)
}

/** OPTIONS: what may be done here (protocol §3.1), also a CORS preflight's answer. */
export function optionsResponse(headers: Record<string, string> = {}): Response {
	return new Response(null, {
		status: 204,
		headers: {
			Allow: readOnlyMethods,
			'Access-Control-Allow-Methods': readOnlyMethods,
			'Access-Control-Allow-Headers': 'Accept, Prefer, If-None-Match',
			...corsHeaders,
			...headers,
		},
	})
}

/** Any other method: this server creates, updates and deletes annotations only through moderation. */
export function methodNotAllowed(): Response {
	return jsonLdError(
		405,
		'Method Not Allowed',
		'The published layer is read-only: annotations are written in their group and published through moderation.',
		{ Allow: readOnlyMethods },
	)
}

/** The action of a read-only resource route: OPTIONS is answered, everything else refused. */
export function readOnlyAction(request: Request, headers: Record<string, string> = {}): Response {
	return request.method === 'OPTIONS' ? optionsResponse(headers) : methodNotAllowed()
}

/**
 * Whether a `Prefer` header asked for a container representation this
 * server honours (`return=representation` naming one of the protocol's
 * include IRIs), so that the answer can say `Preference-Applied`.
 */
export function containerPreferenceHonoured(prefer: string | null): boolean {
	if (!prefer || !/(?:^|[;,\s])return\s*=\s*"?representation"?/i.test(prefer)) return false
	return Object.values(preferIris).some((iri) => prefer.includes(iri))
}

/**
 * One published annotation version as JSON-LD (the current version when
 * `number` is undefined), or null when the request did not ask for JSON-LD.
 * Call it from a resource route: Remix turns a Response that a page route's
 * loader returns into loader data, so the page routes of /a/:id do not
 * answer JSON-LD themselves; server/http.ts hands those requests to
 * app/routes/a.$annotationId[.jsonld].ts and its /v/:n sibling, which call
 * {@link annotationJsonLdResponse}.
 */
export async function annotationJsonLd(
	request: Request,
	context: AppLoadContext,
	annotationId: string,
	number: number | undefined,
): Promise<Response | null> {
	if (!prefersJsonLd(request.headers.get('Accept'), new URL(request.url).searchParams)) return null
	return annotationJsonLdResponse(request, context, annotationId, number)
}

/**
 * The viewer's grant to read what was published on a document, or null,
 * asked before anything of the published layer is read: a members-only or
 * unpublished document then answers the same 404 as a missing one. Only a
 * same-origin request carries the session cookie (CORS here allows no
 * credentials), so another site's script is always an anonymous reader.
 */
export async function publishedGrantFor(request: Request, context: AppLoadContext, target: PublishedTarget): Promise<PublishedGrant | null> {
	const user = await getUser(request, context)
	return publishedGrant(context.db, user?.id ?? null, target)
}

/** A members-only answer is this viewer's: no shared cache may keep it. */
export function grantCacheHeaders(grant: PublishedGrant): Record<string, string> {
	const cacheControl = audienceCacheControl(grant.audience)
	return cacheControl ? { 'Cache-Control': cacheControl } : {}
}

/** The JSON-LD of one published version, whatever the request's Accept: 404 for anything unpublished or not for this viewer. */
export async function annotationJsonLdResponse(
	request: Request,
	context: AppLoadContext,
	annotationId: string,
	number: number | undefined,
): Promise<Response> {
	const headers = { Allow: readOnlyMethods, Vary: 'Accept' }
	const grant = isUuid(annotationId) ? await publishedGrantFor(request, context, { annotationId }) : null
	const shown = grant ? await context.publication.published.annotation(annotationId, number) : null
	if (!grant || !shown) return jsonLdError(404, 'Not Found', 'No published annotation has this address.', headers)
	const urls = publicationUrls(context.appOrigin)
	const document = toWebAnnotation(shown.version, urls)
	// The body's id is the version's permalink; /a/:id is a name for whichever version is current.
	return jsonLdResponse(request, document, { ...headers, ...grantCacheHeaders(grant), Link: ldpTypes.resource, 'Content-Location': document.id })
}

/** A version number from a URL segment: 1, 2, …; anything else is no version. */
export function versionNumber(segment: string | undefined): number | null {
	return segment !== undefined && /^[1-9]\d{0,8}$/.test(segment) ? Number(segment) : null
}
