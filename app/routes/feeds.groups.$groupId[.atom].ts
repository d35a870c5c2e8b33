import type { LoaderFunctionArgs } from '@remix-run/node'
import { atomFeedResponse } from '#app/utils/feeds.server.ts'

/** /feeds/groups/:groupId.atom: the group's newly published annotations (see app/utils/feeds.server.ts). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	return atomFeedResponse(request, context, { groupId: params.groupId ?? '' })
}
