import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import {
	annotationJsonLdResponse,
	jsonLdError,
	optionsResponse,
	readOnlyAction,
	readOnlyMethods,
	versionNumber,
} from '#app/utils/web-annotation-http.server.ts'

/**
 * /a/:id/v/:n as W3C Web Annotation JSON-LD: that version, whatever its
 * standing now (superseded and retracted versions say so). server/http.ts
 * sends here every request for /a/:id/v/:n that asks for JSON-LD.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
	if (request.method === 'OPTIONS') return optionsResponse({ Vary: 'Accept' })
	const number = versionNumber(params.n)
	if (number === null) {
		return jsonLdError(404, 'Not Found', 'No published annotation has this address.', { Allow: readOnlyMethods, Vary: 'Accept' })
	}
	return annotationJsonLdResponse(request, context, params.annotationId ?? '', number)
}

export async function action({ request }: ActionFunctionArgs) {
	return readOnlyAction(request)
}
