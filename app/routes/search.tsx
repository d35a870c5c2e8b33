import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData, useLocation } from '@remix-run/react'
import { WorkspaceResults } from '#app/components/search/WorkspaceResults.tsx'
import { WorkspaceSearchForm } from '#app/components/search/WorkspaceSearchForm.tsx'
import { fieldErrors, type FieldErrors } from '#app/utils/forms.ts'
import { asksForSomething, queryFields, workspaceQuery } from '#app/utils/search.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data?.values.q ? `“${data.values.q}” · Search · Scholion` : 'Search · Scholion' },
]

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const values = queryFields(new URL(request.url))
	const options = await context.search.filterOptions(user)
	const parsed = workspaceQuery.safeParse(values)
	if (!parsed.success) return { values, errors: fieldErrors(parsed.error) as FieldErrors, options, results: null }
	const results = asksForSomething(parsed.data) ? await context.search.search(user, parsed.data) : null
	return { values, errors: {} as FieldErrors, options, results }
}

export default function SearchPage() {
	const { values, errors, options, results } = useLoaderData<typeof loader>()
	const location = useLocation()
	return (
		<>
			<h1>Search</h1>
			<p className="muted">Annotations, replies, their quotes and tags, and the text of documents: everything you can see in your groups.</p>
			<WorkspaceSearchForm values={values} errors={errors} options={options} />
			{results ? <WorkspaceResults results={results} search={location.search} /> : null}
		</>
	)
}
