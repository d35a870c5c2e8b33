import { data, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { editionHeaders, editionMeta } from '#app/components/reader/meta.ts'
import stylesheet from '#app/components/reader/reader.css?url'
import { renderEditionPage, requireIdParam } from '#app/utils/reader.server.ts'

/**
 * /read/:documentId — the document's latest edition. Shown here rather than
 * redirected, so a link to "the document" keeps meaning the newest text; the
 * page names its edition's own permalink as canonical.
 */

/** Readable and usable without JavaScript (see app/root.tsx): no hydration for a page this large. */
export const handle = { scripts: false }

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }]
export const meta: MetaFunction<typeof loader> = ({ data }) => editionMeta(data?.summary)
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

export async function loader({ context, params }: LoaderFunctionArgs) {
	const page = await renderEditionPage(context, requireIdParam(params.documentId))
	return data(page, { headers: editionHeaders(page.summary) })
}

export default function LatestEditionRoute() {
	// Markup rendered on the server by EditionReader (app/utils/reader.server.ts), from our own components.
	return <div dangerouslySetInnerHTML={{ __html: useLoaderData<typeof loader>().html }} />
}
