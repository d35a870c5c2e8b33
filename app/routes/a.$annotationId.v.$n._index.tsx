import { data, type ActionFunctionArgs, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { AudienceNotice } from '#app/components/reader/AudienceNotice.tsx'
import { Permalink } from '#app/components/reader/Permalink.tsx'
import { permalinkHeaders, permalinkMeta } from '#app/components/reader/meta.ts'
import stylesheet from '#app/components/reader/reader.css?url'
import { grantHeaders, grantShown, loadPermalinkPage, reportPublishedVersion, requireIdParam, requireNumberParam } from '#app/utils/reader.server.ts'

/** /a/:annotationId/v/:n — one published version of an annotation, the URL its citations give. Public: no login. */

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }]
export const meta: MetaFunction<typeof loader> = ({ data }) => permalinkMeta(data)
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const { page, grant } = await loadPermalinkPage(request, context, requireIdParam(params.annotationId), requireNumberParam(params.n))
	return data({ ...page, audience: grantShown(grant) }, { headers: grantHeaders(grant, permalinkHeaders()) })
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const outcome = await reportPublishedVersion(request, context, requireIdParam(params.annotationId), requireNumberParam(params.n))
	return data(outcome, { status: outcome.status === 'sent' ? 200 : outcome.code, headers: permalinkHeaders() })
}

export default function VersionRoute() {
	const page = useLoaderData<typeof loader>()
	return (
		<>
			<AudienceNotice {...page.audience} />
			<Permalink page={page} report={useActionData<typeof action>()} />
		</>
	)
}
