import { data, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { EditionReader } from '#app/components/reader/EditionReader.tsx'
import { editionHeaders, editionMeta } from '#app/components/reader/meta.ts'
import stylesheet from '#app/components/reader/reader.css?url'
import { loadEditionPage, requireIdParam, requireNumberParam } from '#app/utils/reader.server.ts'

/** /read/:documentId/e/:n — one edition of a document, the edition's permalink. Public: no login. */

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: stylesheet }]
export const meta: MetaFunction<typeof loader> = ({ data }) => editionMeta(data)
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

export async function loader({ context, params }: LoaderFunctionArgs) {
	const page = await loadEditionPage(context, requireIdParam(params.documentId), requireNumberParam(params.n))
	return data(page, { headers: editionHeaders(page) })
}

export default function EditionRoute() {
	return <EditionReader {...useLoaderData<typeof loader>()} />
}
