import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { pageIri, parsePrefer, preferIncludes, preferIris, toAnnotationPage, toContainer } from '#app/publication/web-annotation.ts'
import { isUuid, publicationUrls } from '#app/utils/publication.server.ts'
import {
	containerPreferenceHonoured,
	grantCacheHeaders,
	jsonLdError,
	jsonLdResponse,
	ldpTypes,
	optionsResponse,
	publishedGrantFor,
	readOnlyAction,
	readOnlyMethods,
	versionNumber,
} from '#app/utils/web-annotation-http.server.ts'
import type { PublishedVersionView } from '#app/publication/types.ts'

/**
 * The Web Annotation Protocol container of one edition
 * (https://www.w3.org/TR/annotation-protocol/#container-retrieval):
 * /read/:documentId/e/:n/annotations/ (the IRI with the slash is the
 * canonical one; Remix matches it with or without), and its pages
 * `?page=N` and `?iris=1&page=N`. Read-only: GET, HEAD (Remix drops the
 * body of the GET answer) and OPTIONS (Remix sends it to the loader).
 */

const pageQuery = z.object({
	page: z
		.string()
		.regex(/^(0|[1-9]\d{0,8})$/, 'page must be a whole number from 0')
		.transform(Number)
		.optional(),
	iris: z.literal('1', { message: 'iris may only be 1' }).optional(),
})

const containerLinks = `${ldpTypes.basicContainer}, ${ldpTypes.constrainedBy}`

/** Each root annotation of the edition followed by its published replies, the order of every page. */
function containerItems(roots: PublishedVersionView[], replies: PublishedVersionView[]): PublishedVersionView[] {
	const byParent = new Map<string | null, PublishedVersionView[]>()
	for (const reply of replies) byParent.set(reply.parentId, [...(byParent.get(reply.parentId) ?? []), reply])
	return roots.flatMap((root) => [root, ...(byParent.get(root.annotationId) ?? [])])
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	if (request.method === 'OPTIONS') return optionsResponse({ Vary: 'Accept, Prefer' })
	const number = versionNumber(params.n)
	const grant = isUuid(params.documentId) && number !== null ? await publishedGrantFor(request, context, { documentId: params.documentId }) : null
	const published = grant && number !== null ? await context.publication.published.edition(grant.documentId, number) : null
	if (!grant || !published) return jsonLdError(404, 'Not Found', 'No published edition has this address.', { Allow: readOnlyMethods })

	const url = new URL(request.url)
	const query = pageQuery.safeParse({ page: url.searchParams.get('page') ?? undefined, iris: url.searchParams.get('iris') ?? undefined })
	if (!query.success) {
		return jsonLdError(400, 'Bad Request', query.error.issues[0]?.message ?? 'Unknown query.', { Allow: readOnlyMethods })
	}

	const urls = publicationUrls(context.appOrigin)
	const { edition } = published
	const id = urls.container(edition.documentId, edition.number)
	const label = `Published annotations on “${edition.documentTitle}”, edition ${edition.number}`
	const versions = containerItems(published.annotations, published.replies)

	if (query.data.page !== undefined) {
		const preference = query.data.iris ? 'iris' : 'descriptions'
		const page = toAnnotationPage({ containerId: id, page: query.data.page, versions, preference, urls, label })
		if (!page) return jsonLdError(404, 'Not Found', 'This container has no such page.', { Allow: readOnlyMethods })
		return jsonLdResponse(request, page, {
			...grantCacheHeaders(grant),
			Allow: readOnlyMethods,
			Vary: 'Accept',
			'Content-Location': pageIri(id, query.data.page, preference),
		})
	}

	const prefer = request.headers.get('Prefer')
	const preference = parsePrefer(prefer)
	const container = toContainer({
		id,
		label,
		versions,
		preference,
		minimalPages: preferIncludes(prefer).has(preferIris.iris) ? 'iris' : 'descriptions',
		urls,
	})
	return jsonLdResponse(request, container, {
		...grantCacheHeaders(grant),
		Allow: readOnlyMethods,
		Vary: 'Accept, Prefer',
		Link: containerLinks,
		'Content-Location': id,
		...(containerPreferenceHonoured(prefer) ? { 'Preference-Applied': 'return=representation' } : {}),
	})
}

/** POST, PUT, PATCH, DELETE: 405, the container is read-only (annotations are published through moderation). */
export async function action({ request }: ActionFunctionArgs) {
	return readOnlyAction(request)
}
