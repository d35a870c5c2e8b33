import { data, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { AudienceNotice } from '#app/components/reader/AudienceNotice.tsx'
import { editionHeaders, editionMeta } from '#app/components/reader/meta.ts'
import stylesheet from '#app/components/reader/reader.css?url'
import { grantHeaders, grantShown, renderEditionPage, requireIdParam, requireNumberParam } from '#app/utils/reader.server.ts'

/** /read/:documentId/e/:n — one edition of a document, the edition's permalink. Public: no login. */

/** Readable and usable without JavaScript (see app/root.tsx): no hydration for a page this large. */
export const handle = { scripts: false }

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }]
export const meta: MetaFunction<typeof loader> = ({ data }) => editionMeta(data?.summary)
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const { summary, html, grant } = await renderEditionPage(request, context, requireIdParam(params.documentId), requireNumberParam(params.n))
	return data({ summary, html, audience: grantShown(grant) }, { headers: grantHeaders(grant, editionHeaders(summary)) })
}

export default function EditionRoute() {
	// Markup rendered on the server by EditionReader (app/utils/reader.server.ts), from our own components.
	const { html, audience } = useLoaderData<typeof loader>()
	return (
		<>
			<AudienceNotice {...audience} />
			<div dangerouslySetInnerHTML={{ __html: html }} />
		</>
	)
}
