import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useLoaderData, useLocation } from '@remix-run/react'
import { Field, FormError } from '#app/components/Field.tsx'
import { PublishedResults } from '#app/components/search/PublishedResults.tsx'
import { fieldErrors, type FieldErrors } from '#app/utils/forms.ts'
import { publishedQuery, queryFields } from '#app/utils/search.server.ts'
import { getUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data?.values.q ? `“${data.values.q}” · Search published annotations · Scholion` : 'Search published annotations · Scholion' },
]

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders

/**
 * The public reader's search: the published layer only (editions and published versions), no login. Signed-in
 * members also find their groups' members-only items, so the page is theirs alone.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
	const values = queryFields(new URL(request.url))
	const parsed = publishedQuery.safeParse(values)
	if (!parsed.success) return { values, errors: fieldErrors(parsed.error) as FieldErrors, results: null }
	const user = await getUser(request, context)
	const results = parsed.data.q ? await context.search.searchPublished(parsed.data, user) : null
	// What a member finds may include members-only items: never for a shared cache.
	return data({ values, errors: {} as FieldErrors, results }, user ? { headers: { 'Cache-Control': 'private, no-store' } } : undefined)
}

export default function PublishedSearchPage() {
	const { values, errors, results } = useLoaderData<typeof loader>()
	const location = useLocation()
	return (
		<>
			<h1>Search published annotations</h1>
			<p className="muted">The published editions and the annotations approved on them.</p>
			<Form method="get" className="form search-form" role="search" aria-label="Published annotations and editions">
				{Object.keys(errors).length > 0 ? <FormError error={Object.values(errors)[0]} /> : null}
				<div className="words">
					<Field label="Words" name="q" type="search" defaultValue={values.q ?? ''} error={errors.q} maxLength={200} />
				</div>
				{values.document ? <input type="hidden" name="document" value={values.document} /> : null}
				<div className="field">
					<label className="radio-row">
						<input type="checkbox" name="retracted" value="1" defaultChecked={values.retracted === '1'} /> Include retracted
						annotations
					</label>
				</div>
				<div className="actions">
					<button type="submit">Search</button>
				</div>
			</Form>
			{results ? <PublishedResults results={results} search={location.search} /> : null}
		</>
	)
}
