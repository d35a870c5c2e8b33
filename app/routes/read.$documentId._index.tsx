import { data, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { EditionReader } from '#app/components/reader/EditionReader.tsx'
import { editionHeaders, editionMeta } from '#app/components/reader/meta.ts'
import stylesheet from '#app/components/reader/reader.css?url'
import { loadEditionPage, requireIdParam } from '#app/utils/reader.server.ts'

/**
 * /read/:documentId — the document's latest edition. Shown here rather than
 * redirected, so a link to "the document" keeps meaning the newest text; the
 * page names its edition's own permalink as canonical.
 */

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }]
export const meta: MetaFunction<typeof loader> = ({ data }) => editionMeta(data)
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

export async function loader({ context, params }: LoaderFunctionArgs) {
	const page = await loadEditionPage(context, requireIdParam(params.documentId))
	return data(page, { headers: editionHeaders(page) })
}

export default function LatestEditionRoute() {
	return <EditionReader {...useLoaderData<typeof loader>()} />
}
