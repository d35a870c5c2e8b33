import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { Field, FormError } from '#app/components/Field.tsx'
import { signUp } from '#app/utils/auth.server.ts'
import { typedValues } from '#app/utils/forms.ts'
import { getUser, safeRedirect, startNoSession, startSession } from '#app/utils/session.server.ts'

export const meta: MetaFunction = () => [{ title: 'Sign up · Scholion' }]

// A refusal's Retry-After reaches the page's response only through this.
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders

export async function loader({ request, context }: LoaderFunctionArgs) {
	if (await getUser(request, context)) throw redirect('/')
	return null
}

export async function action({ request, context }: ActionFunctionArgs) {
	const form = await request.formData()
	const result = await signUp(context, form)
	if (!result.ok) {
		const headers = result.status === 429 ? { 'Retry-After': String(result.retryAfterSeconds) } : undefined
		return data({ errors: result.errors, values: typedValues(form, ['email', 'name']) }, { status: result.status, headers })
	}
	const redirectTo = safeRedirect(form.get('redirectTo'))
	// An email that already has an account gets the same answer; its owner is told by email.
	return result.user ? startSession(context, result.user.id, redirectTo) : startNoSession(context, redirectTo)
}

export default function SignupPage() {
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const submitting = useNavigation().state === 'submitting'
	const errors = actionData?.errors ?? {}
	const redirectTo = searchParams.get('redirectTo') ?? ''
	return (
		<>
			<h1>Create your Scholion account</h1>
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
					label="Display name"
					name="name"
					autoComplete="name"
					hint="Shown to your groups beside your annotations."
					required
					defaultValue={actionData?.values.name}
					error={errors.name}
				/>
				<Field
					label="Password"
					name="password"
					type="password"
					autoComplete="new-password"
					hint="At least 8 characters."
					required
					error={errors.password}
				/>
				<div className="actions">
					<button type="submit" disabled={submitting}>
						{submitting ? 'Creating account…' : 'Sign up'}
					</button>
					<span>
						Have an account? <Link to={`/login${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ''}`}>Log in</Link>
					</span>
				</div>
			</Form>
		</>
	)
}
