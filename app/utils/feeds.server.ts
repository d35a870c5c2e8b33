import type { AppLoadContext } from '@remix-run/node'
import { atomMediaType, renderAtom, toAtomFeed } from '#app/publication/atom.ts'
import { isUuid } from '#db/ids.ts'
import { publicationUrls } from '#server/publication/urls.ts'
import { listReadablePublishedDocuments } from '#db/queries/audience.ts'
import type { PublishedScope } from '#db/queries/publication.ts'
import { audienceCacheControl } from '#server/publication/audience.ts'
import { getUser } from './session.server.ts'
import { ifNoneMatchHits, publishedGrantFor, strongEtag } from './web-annotation-http.server.ts'

/**
 * The Atom feeds of newly published annotations, per group
 * (/feeds/groups/:groupId.atom) and per document (/feeds/documents/:documentId.atom).
 * A group or document has a feed only once it has an edition: before that
 * nothing of it is public, and a feed must not reveal that it exists. Only
 * what the viewer may read is in it (the audience of each document): a
 * group's feed leaves out its members-only documents for everyone else, and
 * is a 404 when nothing is left.
 */
export async function atomFeedResponse(
	request: Request,
	context: AppLoadContext,
	scope: { groupId: string } | { documentId: string },
): Promise<Response> {
	const id = 'groupId' in scope ? scope.groupId : scope.documentId
	const published = context.publication.published
	const readable = isUuid(id) ? await readableScope(request, context, scope) : null
	const latest = readable ? await published.latestEdition(readable.scope) : null
	if (!readable || !latest) {
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
			versions: await published.recent(readable.scope),
			urls,
			...('documentId' in scope ? { alternateHref: urls.edition(latest.documentId, latest.number) } : {}),
		}),
	)
	const etag = strongEtag(xml)
	const headers = {
		'Content-Type': atomMediaType,
		ETag: etag,
		'Cache-Control': readable.private ? 'private, no-store' : 'public, no-cache',
		'Access-Control-Allow-Origin': '*',
	}
	if (ifNoneMatchHits(request, etag)) return new Response(null, { status: 304, headers })
	return new Response(xml, { status: 200, headers })
}

/**
 * The part of a feed's scope this viewer may read, and whether any of it is
 * not public (then the feed is theirs only); null when nothing is. The same
 * queries run for a hidden and a missing group or document.
 */
async function readableScope(
	request: Request,
	context: AppLoadContext,
	scope: { groupId: string } | { documentId: string },
): Promise<{ scope: PublishedScope; private: boolean } | null> {
	if ('documentId' in scope) {
		const grant = await publishedGrantFor(request, context, scope)
		return grant ? { scope, private: audienceCacheControl(grant.audience) !== null } : null
	}
	const user = await getUser(request, context)
	const documents = await listReadablePublishedDocuments(context.db, scope.groupId, user?.id ?? null)
	if (documents.length === 0) return null
	return {
		scope: { documentIds: documents.map((d) => d.id) },
		private: documents.some((d) => audienceCacheControl(d.audience) !== null),
	}
}
