import { useParams } from '@remix-run/react'
import { useId, useMemo, useRef, useState } from 'react'
import { renderMarkdown } from '#app/markdown/render.ts'
import { useMentionAutocomplete } from '#app/components/notifications/useMentionAutocomplete.tsx'
import { motivationLabels, motivations, type Motivation } from '#app/annotations/types.ts'

export interface ComposerValues {
	body: string
	motivation: Motivation
	tags: string[]
	draft: boolean
}

/**
 * Writing an annotation: a Markdown body with a live preview (rendered by
 * the same module as everywhere else) and @mentions of the group's members
 * (autocompleted from the document's members), a motivation, tags, and
 * whether to share it with the group or keep it as a private draft.
 */
export function Composer({
	quote,
	initial,
	submitLabel,
	busy,
	error,
	onSubmit,
	onCancel,
	replyOnly = false,
}: {
	quote?: string
	initial?: Partial<ComposerValues>
	submitLabel: string
	busy: boolean
	error: string | null
	onSubmit: (values: ComposerValues) => void
	onCancel: () => void
	/** A reply has only a body. */
	replyOnly?: boolean
}) {
	const id = useId()
	const [body, setBody] = useState(initial?.body ?? '')
	const [motivation, setMotivation] = useState<Motivation>(initial?.motivation ?? 'commenting')
	const [tags, setTags] = useState((initial?.tags ?? []).join(', '))
	const [draft, setDraft] = useState(initial?.draft ?? false)
	const [preview, setPreview] = useState(false)
	const previewHtml = useMemo(() => (preview ? renderMarkdown(body) : ''), [preview, body])
	const bodyField = useRef<HTMLTextAreaElement>(null)
	const mentions = useMentionAutocomplete({
		documentId: useParams().documentId,
		value: body,
		setValue: setBody,
		textarea: bodyField,
		idBase: id,
	})
	return (
		<form
			className="composer"
			aria-label={replyOnly ? 'Reply' : 'Annotation'}
			onSubmit={(event) => {
				event.preventDefault()
				onSubmit({
					body,
					motivation,
					tags: tags.split(',').map((t) => t.trim()).filter(Boolean),
					draft,
				})
			}}
			onKeyDown={(event) => {
				if (event.key === 'Escape') {
					event.preventDefault()
					onCancel()
				}
			}}
		>
			{quote ? <blockquote className="composer-quote">{quote}</blockquote> : null}
			<div className="composer-tabs" role="group" aria-label="Write or preview">
				<button type="button" className="secondary" aria-pressed={!preview} onClick={() => setPreview(false)}>
					Write
				</button>
				<button type="button" className="secondary" aria-pressed={preview} onClick={() => setPreview(true)}>
					Preview
				</button>
			</div>
			{preview ? (
				<div className="markdown-body composer-preview" aria-label="Preview" dangerouslySetInnerHTML={{ __html: previewHtml || '<p><em>Nothing to preview.</em></p>' }} />
			) : (
				<div className="field">
					<label htmlFor={`${id}-body`}>{replyOnly ? 'Your reply' : 'Your annotation'} (Markdown)</label>
					<span className="hint" id={`${id}-body-hint`}>
						Type @ to mention a member of the group.
					</span>
					<textarea
						id={`${id}-body`}
						ref={bodyField}
						value={body}
						autoFocus
						rows={4}
						aria-describedby={`${id}-body-hint`}
						{...mentions.inputProps}
						onChange={(e) => {
							setBody(e.target.value)
							mentions.track(e.currentTarget)
						}}
						onKeyDown={(e) => {
							if (mentions.onKeyDown(e)) return
							// Mod-Enter submits, as in most comment boxes.
							if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
								e.preventDefault()
								e.currentTarget.form?.requestSubmit()
							}
						}}
					/>
					{mentions.list}
				</div>
			)}
			{replyOnly ? null : (
				<>
					<div className="field">
						<label htmlFor={`${id}-motivation`}>Kind</label>
						<select id={`${id}-motivation`} value={motivation} onChange={(e) => setMotivation(e.target.value as Motivation)}>
							{motivations.map((m) => (
								<option key={m} value={m}>
									{motivationLabels[m]}
								</option>
							))}
						</select>
					</div>
					<div className="field">
						<label htmlFor={`${id}-tags`}>Tags</label>
						<span className="hint" id={`${id}-tags-hint`}>
							Separated by commas, such as unsourced, contested, corroborated
						</span>
						<input id={`${id}-tags`} value={tags} aria-describedby={`${id}-tags-hint`} onChange={(e) => setTags(e.target.value)} />
					</div>
					<label className="radio-row">
						<input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} />
						<span>Keep as a private draft (only you can see it)</span>
					</label>
				</>
			)}
			{error ? (
				<p className="form-error" role="alert">
					{error}
				</p>
			) : null}
			<div className="actions">
				<button type="submit" disabled={busy}>
					{busy ? 'Saving…' : submitLabel}
				</button>
				<button type="button" className="secondary" onClick={onCancel}>
					Cancel
				</button>
			</div>
		</form>
	)
}
