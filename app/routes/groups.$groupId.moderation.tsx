import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { motivations } from '#app/annotations/types.ts'
import { DecisionResults } from '#app/components/moderation/DecisionResults.tsx'
import { EarlierEditionList } from '#app/components/moderation/EarlierEditionList.tsx'
import { EditionList } from '#app/components/moderation/EditionList.tsx'
import { ModerationQueue } from '#app/components/moderation/ModerationQueue.tsx'
import { PolicyForm } from '#app/components/moderation/PolicyForm.tsx'
import { audienceShort } from '#app/components/moderation/AudienceForm.tsx'
import { identityModeLabels } from '#app/policy/identity.ts'
import { QueueFilterForm } from '#app/components/moderation/QueueFilterForm.tsx'
import { ReportList } from '#app/components/moderation/ReportList.tsx'
import { AcceptedList } from '#app/components/moderation/AcceptedList.tsx'
import { PublishedList } from '#app/components/moderation/PublishedList.tsx'
import type { DecisionReport, QueueFilters, QueueItemView } from '#app/components/moderation/types.ts'
import '#app/components/moderation/moderation.css'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { fieldErrors, type FieldErrors } from '#app/utils/forms.ts'
import { decideAndReport, documentEditions, loadEarlierEditions, loadPublished, loadQueue, QuorumPolicyError } from '#app/utils/moderation.server.ts'
import { isAnnotationError } from '#app/utils/publication.server.ts'
import { findDocument } from '#app/utils/queries.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Moderation queue · ${data.group.name} · Scholion` : 'Moderation queue · Scholion' },
]

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional())

const filterSchema = z.object({
	document: optional(z.string().uuid('Choose a document from the list.')),
	kind: optional(z.enum(motivations, { errorMap: () => ({ message: 'Choose a kind from the list.' }) })),
	tag: optional(z.string().trim().max(40, 'Choose a tag from the list.')),
	author: optional(z.string().uuid('Choose an author from the list.')),
})

const reason = z.string().trim().min(1, 'Give a reason for the decision.').max(2000, 'Keep the reason under 2,000 characters.')
const verdict = z.enum(['approve', 'request_changes', 'reject'])
const quorumMessage = 'The quorum is a whole number from 1 to 10.'

const actionSchema = z.discriminatedUnion('intent', [
	z.object({
		intent: verdict,
		annotationId: z.string().uuid('Annotation not found.'),
		reason,
		confirmPlacement: z.literal('on').optional(),
	}),
	z.object({ intent: z.literal('bulk'), bulk: verdict, reason, all: z.literal('on').optional() }),
	z.object({
		intent: z.literal('policy'),
		requiresApproval: z.literal('on').optional(),
		approvalQuorum: z
			.string()
			.trim()
			.regex(/^\d+$/, quorumMessage)
			.transform(Number)
			.pipe(z.number().int().min(1, quorumMessage).max(10, quorumMessage)),
	}),
	z.object({ intent: z.literal('dismiss'), reportId: z.string().uuid('Report not found.') }),
	z.object({ intent: z.literal('override'), annotationId: z.string().uuid('Annotation not found.'), reason, confirmPlacement: z.literal('on').optional() }),
	z.object({ intent: z.literal('publishAccepted'), documentId: z.string().uuid('Document not found.'), confirmPlacement: z.literal('on').optional() }),
	z.object({
		intent: z.literal('retract'),
		// From a report (which it resolves), or from the list of what is published.
		reportId: z.string().uuid('Report not found.').optional(),
		annotationId: z.string().uuid('Annotation not found.'),
		notice: z.string().trim().min(1, 'Write the public notice that will stand in place of the annotation.').max(2000, 'Keep the notice under 2,000 characters.'),
	}),
	z.object({ intent: z.literal('freeze'), documentId: z.string().uuid('Document not found.') }),
	z.object({ intent: z.literal('carry'), annotationId: z.string().uuid('Annotation not found.'), confirmPlacement: z.literal('on').optional() }),
])

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'annotation.moderate')
	const [queue, editions, earlier, published] = await Promise.all([
		loadQueue(context, user, access.group.id),
		documentEditions(context, access.group.id),
		loadEarlierEditions(context, user, access.group.id),
		access.can('annotation.retract') ? loadPublished(context, user, access.group.id) : Promise.resolve([]),
	])
	const query = Object.fromEntries(new URL(request.url).searchParams)
	const parsed = filterSchema.safeParse(query)
	const filters: QueueFilters = parsed.success ? parsed.data : {}
	const shown = queue.items.filter((item) => matches(item, filters))
	return {
		group: queue.group,
		audience: access.group.publishedAudience,
		quorum: queue.quorum,
		items: shown,
		total: queue.items.length,
		filters,
		filterError: parsed.success ? null : (parsed.error.issues[0]?.message ?? 'That filter is not valid.'),
		choices: filterChoices(queue.items),
		reports: queue.reports,
		editions,
		earlier,
		accepted: queue.accepted,
		published,
		identityMode: access.group.identityMode,
		may: { policy: access.can('group.policy'), freeze: access.can('edition.freeze'), retract: access.can('annotation.retract') },
	}
}

type ActionResult = {
	results: DecisionReport[]
	message: string | null
	error: string | null
	policyErrors?: FieldErrors
	policyValues?: { requiresApproval: boolean; approvalQuorum: string }
}

const answer = (result: Partial<ActionResult>, status = 200) =>
	data<ActionResult>({ results: [], message: null, error: null, ...result }, { status })

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'annotation.moderate')
	const groupId = access.group.id
	const form = await request.formData()
	const parsed = actionSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) {
		if (form.get('intent') === 'policy') {
			return answer(
				{
					policyErrors: fieldErrors(parsed.error),
					policyValues: { requiresApproval: form.get('requiresApproval') === 'on', approvalQuorum: String(form.get('approvalQuorum') ?? '') },
				},
				400,
			)
		}
		return answer({ error: parsed.error.issues[0]?.message ?? 'That form was not valid.' }, 400)
	}
	const input = parsed.data
	try {
		switch (input.intent) {
			case 'approve':
			case 'request_changes':
			case 'reject': {
				const label = await labelInGroup(context, user, input.annotationId, groupId)
				if (label === null) return answer({ error: 'Annotation not found in this group.' }, 404)
				const report = await decideAndReport(context, user, input.annotationId, label, {
					verdict: input.intent,
					reason: input.reason,
					confirmPlacement: input.confirmPlacement === 'on',
				})
				return answer({ results: [report] }, report.outcome === 'refused' ? (report.status ?? 409) : 200)
			}
			case 'bulk': {
				const ids = new Set(form.getAll('annotationId').map(String))
				if (input.all) for (const id of form.getAll('shown')) ids.add(String(id))
				const valid = [...ids].filter((id) => z.string().uuid().safeParse(id).success)
				if (valid.length === 0) return answer({ error: 'Select at least one submission first.' }, 400)
				const results: DecisionReport[] = []
				for (const id of valid) {
					const label = await labelInGroup(context, user, id, groupId)
					results.push(
						label === null
							? { annotationId: id, label: 'An annotation', outcome: 'refused', message: 'refused: not in this group’s queue' }
							: await decideAndReport(context, user, id, label, { verdict: input.bulk, reason: input.reason, confirmPlacement: false }),
					)
				}
				return answer({ results })
			}
			case 'policy': {
				const policy = { requiresApproval: input.requiresApproval === 'on', approvalQuorum: input.approvalQuorum }
				try {
					await context.publication.setPolicy(user, groupId, policy)
				} catch (error) {
					if (!(error instanceof QuorumPolicyError)) throw error
					return answer(
						{
							policyErrors: { approvalQuorum: error.message },
							policyValues: { requiresApproval: policy.requiresApproval, approvalQuorum: String(policy.approvalQuorum) },
						},
						400,
					)
				}
				return answer({
					message: policy.requiresApproval
						? `Policy saved: ${policy.approvalQuorum} ${policy.approvalQuorum === 1 ? 'approval publishes' : 'approvals publish'} a submission.`
						: 'Policy saved: submissions are published without approval.',
				})
			}
			case 'dismiss':
				await context.publication.resolveReport(user, input.reportId, 'Dismissed.')
				return answer({ message: 'Report dismissed; the annotation stays published.' })
			case 'retract': {
				const label = await labelInGroup(context, user, input.annotationId, groupId)
				if (label === null) return answer({ error: 'Annotation not found in this group.' }, 404)
				const version = await context.publication.retract(user, input.annotationId, input.notice)
				if (input.reportId) await context.publication.resolveReport(user, input.reportId, `Retracted: ${input.notice}`)
				return answer({ message: `${label}: version ${version.number} retracted with your public notice.` })
			}
			case 'freeze': {
				// Freezing starts with its preview; only the preview's confirmation freezes.
				const document = await findDocument(context.db, input.documentId)
				if (!document || document.groupId !== groupId) return answer({ error: 'Document not found.' }, 404)
				return redirect(`/documents/${document.id}/editions/new`, 303)
			}
			case 'override': {
				const label = await labelInGroup(context, user, input.annotationId, groupId)
				if (label === null) return answer({ error: 'Annotation not found in this group.' }, 404)
				const outcome = await context.publication.overrideQuorum(user, input.annotationId, input.reason, input.confirmPlacement === 'on')
				const report: DecisionReport = outcome.published
					? { annotationId: input.annotationId, label, outcome: 'published', message: `published over the unreachable quorum as version ${outcome.published.number}` }
					: { annotationId: input.annotationId, label, outcome: 'accepted', message: 'accepted over the unreachable quorum; nothing is published' }
				return answer({ results: [report] })
			}
			case 'publishAccepted': {
				const document = await findDocument(context.db, input.documentId)
				if (!document || document.groupId !== groupId) return answer({ error: 'Document not found.' }, 404)
				const { published, left } = await context.publication.publishAccepted(user, document.id, input.confirmPlacement === 'on')
				const results: DecisionReport[] = []
				for (const item of left) {
					results.push({ annotationId: item.annotationId, label: (await labelInGroup(context, user, item.annotationId, groupId)) ?? 'An annotation', outcome: 'refused', message: `still accepted: ${item.reason}` })
				}
				return answer({
					message: `${published} accepted ${published === 1 ? 'item' : 'items'} on “${document.title}” published${left.length > 0 ? `; ${left.length} could not be placed and stay accepted` : ''}.`,
					results,
				})
			}
			case 'carry': {
				const label = await labelInGroup(context, user, input.annotationId, groupId)
				if (label === null) return answer({ error: 'Annotation not found in this group.' }, 404)
				const version = await context.publication.carryToLatestEdition(user, input.annotationId, input.confirmPlacement === 'on')
				return answer({ message: `${label}: published on the latest edition as version ${version.number}.` })
			}
		}
	} catch (error) {
		if (isAnnotationError(error)) return answer({ error: error.message }, error.status)
		throw error
	}
}

/** A short name of an annotation for the status message, or null when it is not in this group (or not visible). */
async function labelInGroup(context: ActionFunctionArgs['context'], user: Awaited<ReturnType<typeof requireUser>>, id: string, groupId: string) {
	try {
		const record = await context.annotations.visibleRecord(user, id)
		if (record.groupId !== groupId) return null
		const exact = record.anchor?.exact
		const what = exact ? `“${exact.length > 60 ? `${exact.slice(0, 60)}…` : exact}”` : 'The reply'
		return `${what} by ${record.creatorName ?? 'someone'}`
	} catch (error) {
		if (isAnnotationError(error)) return null
		throw error
	}
}

function matches(item: QueueItemView, filters: QueueFilters): boolean {
	return (
		(!filters.document || item.documentId === filters.document) &&
		(!filters.kind || item.motivation === filters.kind) &&
		(!filters.tag || item.tags.includes(filters.tag)) &&
		(!filters.author || item.author?.id === filters.author)
	)
}

function filterChoices(items: QueueItemView[]) {
	const documents = new Map<string, string>()
	const authors = new Map<string, string>()
	for (const item of items) {
		documents.set(item.documentId, item.documentTitle)
		if (item.author) authors.set(item.author.id, item.author.name)
	}
	return {
		documents: [...documents].map(([id, title]) => ({ id, title })),
		authors: [...authors].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
		tags: [...new Set(items.flatMap((i) => i.tags))].sort(),
	}
}

export default function ModerationPage() {
	const { group, quorum, items, total, filters, filterError, choices, reports, editions, earlier, accepted, published, may, audience, identityMode } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link>
			</p>
			<h1>Moderation queue</h1>
			<p className="lede">
				{total === 0 ? 'Nothing waits for a decision.' : `${total} ${total === 1 ? 'submission waits' : 'submissions wait'} for a decision.`}{' '}
				{group.requiresApproval
					? `${quorum} ${quorum === 1 ? 'approval publishes' : 'approvals publish'} a submission; a rejection or a request for changes takes effect at once.`
					: 'This group publishes submissions without approval; what is here could not be published automatically.'}{' '}
				Published layer: {audienceShort[audience]}.
			</p>
			{actionData?.error ? (
				<p className="form-error" role="alert">
					{actionData.error}
				</p>
			) : null}
			<DecisionResults results={actionData?.results ?? []} message={actionData?.message ?? null} />
			<section aria-labelledby="queue-heading">
				<h2 id="queue-heading">
					Waiting for a decision{items.length !== total ? ` (${items.length} of ${total} shown)` : ''}
				</h2>
				<QueueFilterForm key={JSON.stringify(filters)} filters={filters} error={filterError} {...choices} />
				<ModerationQueue items={items} />
			</section>
			{accepted.length > 0 ? (
				<section aria-labelledby="accepted-heading">
					<h2 id="accepted-heading">Accepted, not published</h2>
					<AcceptedList documents={accepted} />
				</section>
			) : null}
			{may.retract ? (
				<section aria-labelledby="published-heading">
					<h2 id="published-heading">Published ({published.length})</h2>
					<PublishedList items={published} />
				</section>
			) : null}
			<section aria-labelledby="reports-heading">
				<h2 id="reports-heading">Reports from readers ({reports.length})</h2>
				<ReportList reports={reports} canRetract={may.retract} />
			</section>
			<section aria-labelledby="editions-heading">
				<h2 id="editions-heading">Editions</h2>
				<p className="muted">
					An edition is a frozen copy of a document: what the public reader shows and published annotations are pinned to.
				</p>
				<EditionList documents={editions} canFreeze={may.freeze} />
				<p>Decision records: {editions.map((d, i) => <span key={d.id}>{i > 0 ? ' · ' : ''}<Link to={`/documents/${d.id}/decisions`}>{d.title}</Link></span>)}</p>
			</section>
			<section aria-labelledby="earlier-heading">
				<h2 id="earlier-heading">Published on an earlier edition ({earlier.length})</h2>
				<EarlierEditionList items={earlier} />
			</section>
			{may.policy ? (
				<section aria-labelledby="policy-heading">
					<h2 id="policy-heading">Moderation policy</h2>
					<p>
						Published layer: <strong>{audienceShort[audience]}</strong>.{' '}
						<Link to={`/groups/${group.id}/settings/audience`}>Change who may read it</Link>
					</p>
					<PolicyForm
						policy={{ requiresApproval: group.requiresApproval, approvalQuorum: group.approvalQuorum }}
						errors={actionData?.policyErrors}
						values={actionData?.policyValues}
					/>
					<p>
						Reviewer identity: {identityModeLabels[identityMode]}.{' '}
						<Link to={`/groups/${group.id}/settings/identity`}>Change reviewer identity</Link>
					</p>
				</section>
			) : null}
		</>
	)
}
