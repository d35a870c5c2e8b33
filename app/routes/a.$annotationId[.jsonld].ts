import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { annotationJsonLdResponse, optionsResponse, readOnlyAction } from '#app/utils/web-annotation-http.server.ts'

/**
 * /a/:id as W3C Web Annotation JSON-LD: its current published version.
 * server/http.ts sends here every request for /a/:id that asks for JSON-LD
 * (Accept, or ?format=jsonld); /a/:id.jsonld is the same, asked for by name.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	if (request.method === 'OPTIONS') return optionsResponse({ Vary: 'Accept' })
	return annotationJsonLdResponse(request, context, params.annotationId ?? '', undefined)
}

export async function action({ request }: ActionFunctionArgs) {
	return readOnlyAction(request)
}
