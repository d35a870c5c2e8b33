import type { AppLoadContext } from '@remix-run/node'
import { atomMediaType, renderAtom, toAtomFeed } from '#app/publication/atom.ts'
import { isUuid } from '#db/ids.ts'
import { publicationUrls } from '#server/publication/urls.ts'
import { ifNoneMatchHits, strongEtag } from './web-annotation-http.server.ts'

/**
 * The Atom feeds of newly published annotations, per group
 * (/feeds/groups/:groupId.atom) and per document (/feeds/documents/:documentId.atom).
 * A group or document has a feed only once it has an edition: before that
 * nothing of it is public, and a feed must not reveal that it exists.
 */
export async function atomFeedResponse(
	request: Request,
	context: AppLoadContext,
	scope: { groupId: string } | { documentId: string },
): Promise<Response> {
	const id = 'groupId' in scope ? scope.groupId : scope.documentId
	const published = context.publication.published
	const latest = isUuid(id) ? await published.latestEdition(scope) : null
	if (!latest) {
		return new Response('No published feed has this address.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
	}
	const urls = publicationUrls(context.appOrigin)
	const selfHref = new URL(new URL(request.url).pathname, context.appOrigin).href
	const name = 'groupId' in scope ? latest.groupName : latest.documentTitle
	const xml = renderAtom(
		toAtomFeed({
			selfHref,
			title: `${name} — published annotations`,
			authorName: latest.groupName,
			latest,
			versions: await published.recent(scope),
			urls,
			...('documentId' in scope ? { alternateHref: urls.edition(latest.documentId, latest.number) } : {}),
		}),
	)
	const etag = strongEtag(xml)
	const headers = { 'Content-Type': atomMediaType, ETag: etag, 'Cache-Control': 'public, no-cache', 'Access-Control-Allow-Origin': '*' }
	if (ifNoneMatchHits(request, etag)) return new Response(null, { status: 304, headers })
	return new Response(xml, { status: 200, headers })
}
