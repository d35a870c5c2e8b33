import type { LoaderFunctionArgs } from '@remix-run/node'
import { atomFeedResponse } from '#app/utils/feeds.server.ts'

/** /feeds/documents/:documentId.atom: the document's newly published annotations (see app/utils/feeds.server.ts). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	return atomFeedResponse(request, context, { documentId: params.documentId ?? '' })
}
