import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { authorStatuses, motivations } from '#app/annotations/types.ts'
import { isAnnotationError, isUuid } from '#app/utils/annotations.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

/**
 * The annotations API of one document: GET lists what the user may see;
 * POST takes one JSON command. Used by the editor page with fetch (the
 * Origin check in server/ applies as to every POST).
 */

const base64 = z.string().max(4096).regex(/^[A-Za-z0-9+/=]*$/, 'must be base64')
const anchorInput = z.object({
	start: base64,
	end: base64,
	exact: z.string().min(1, 'Select some text first.').max(5000, 'Select at most 5,000 characters.'),
	prefix: z.string().max(200),
	suffix: z.string().max(200),
	startOffset: z.number().int().nonnegative(),
	endOffset: z.number().int().positive(),
})
const body = z.string().max(20_000, 'Keep an annotation under 20,000 characters.')
const tags = z.array(z.string().trim().min(1).max(40, 'Keep each tag under 40 characters.')).max(20, 'At most 20 tags.')
const id = z.string().uuid()

const command = z.discriminatedUnion('intent', [
	z.object({
		intent: z.literal('create'),
		motivation: z.enum(motivations).default('commenting'),
		body: body.default(''),
		tags: tags.default([]),
		status: z.enum(authorStatuses).default('submitted'),
		anchor: anchorInput,
	}),
	z.object({ intent: z.literal('reply'), parentId: id, body: body.min(1, 'Write a reply first.') }),
	z.object({
		intent: z.literal('edit'),
		id,
		body: body.optional(),
		motivation: z.enum(motivations).optional(),
		tags: tags.optional(),
		status: z.enum(authorStatuses).optional(),
	}),
	z.object({ intent: z.literal('delete'), id }),
	z.object({ intent: z.literal('endorse'), id, endorsed: z.boolean() }),
	z.object({ intent: z.literal('reanchor'), id, anchor: anchorInput }),
])

export type AnnotationCommand = z.input<typeof command>

// A resource route answers with Responses: `data()` statuses are not applied outside single fetch.
function refusal(error: unknown) {
	if (isAnnotationError(error)) return Response.json({ error: error.message }, { status: error.status })
	throw error
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	if (!isUuid(params.documentId)) return Response.json({ error: 'Document not found.' }, { status: 404 })
	try {
		const annotations = await context.annotations.list(user, params.documentId)
		return Response.json({ annotations: await context.publication.withDecisions(user, params.documentId, annotations) })
	} catch (error) {
		return refusal(error)
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const documentId = params.documentId
	if (!isUuid(documentId)) return Response.json({ error: 'Document not found.' }, { status: 404 })
	let json: unknown
	try {
		json = await request.json()
	} catch {
		return Response.json({ error: 'Send the command as JSON.' }, { status: 400 })
	}
	const parsed = command.safeParse(json)
	if (!parsed.success) {
		return Response.json({ error: parsed.error.issues[0]?.message ?? 'Invalid command.' }, { status: 400 })
	}
	const input = parsed.data
	const service = context.annotations
	try {
		switch (input.intent) {
			case 'create':
				return Response.json({ annotation: await service.create(user, documentId, input) })
			case 'reply':
				return Response.json({ annotation: await service.reply(user, input.parentId, input.body) })
			case 'edit': {
				const { intent: _intent, id: annotationId, ...changes } = input
				return Response.json({ annotation: await service.edit(user, annotationId, changes) })
			}
			case 'delete':
				await service.remove(user, input.id)
				return Response.json({ deleted: input.id })
			case 'endorse':
				return Response.json({ annotation: await service.endorse(user, input.id, input.endorsed) })
			case 'reanchor':
				return Response.json({ annotation: await service.reanchor(user, input.id, input.anchor) })
		}
	} catch (error) {
		return refusal(error)
	}
}
