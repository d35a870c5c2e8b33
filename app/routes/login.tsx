import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { Field, FormError } from '#app/components/Field.tsx'
import { logIn } from '#app/utils/auth.server.ts'
import { typedValues } from '#app/utils/forms.ts'
import { getUser, safeRedirect, startSession } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Log in · Scholion' }]

// A refusal's Retry-After reaches the page's response only through this.
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders

export async function loader({ request, context }: LoaderFunctionArgs) {
	if (await getUser(request, context)) throw redirect('/')
	return null
}

export async function action({ request, context }: ActionFunctionArgs) {
	const form = await request.formData()
	const result = await logIn(context, form)
	if (!result.ok) {
		const headers = result.status === 429 ? { 'Retry-After': String(result.retryAfterSeconds) } : undefined
		return data({ errors: result.errors, values: typedValues(form, ['email']) }, { status: result.status, headers })
	}
	return startSession(context, result.user.id, safeRedirect(form.get('redirectTo')))
}

export default function LoginPage() {
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const submitting = useNavigation().state === 'submitting'
	const errors = actionData?.errors ?? {}
	const redirectTo = searchParams.get('redirectTo') ?? ''
	return (
		<>
			<h1>Log in to Scholion</h1>
			<Form method="post" className="form" noValidate>
				<FormError error={errors.form} />
				<input type="hidden" name="redirectTo" value={redirectTo} />
				<Field
					label="Email"
					name="email"
					type="email"
					autoComplete="email"
					required
					defaultValue={actionData?.values.email}
					error={errors.email}
				/>
				<Field
					label="Password"
					name="password"
					type="password"
					autoComplete="current-password"
					required
					error={errors.password}
				/>
				<div className="actions">
					<button type="submit" disabled={submitting}>
						{submitting ? 'Logging in…' : 'Log in'}
					</button>
					<span>
						New here? <Link to={`/signup${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ''}`}>Create an account</Link>
					</span>
				</div>
			</Form>
		</>
	)
}
