import { defaultMarkdownSerializer } from 'prosemirror-markdown'
import { Transform } from 'prosemirror-transform'
import { annotationStatusLabels, motivationLabels } from '#app/annotations/types.ts'
import { schema } from '#app/editor/schema.ts'
import type { ExportedAnnotation, ExportedDocument } from './collect.ts'

/*
 * Private-use characters around a note's number, put into the text before it
 * is serialized and swapped for `[^n]` after: the serializer would escape the
 * brackets of a reference written into the text directly.
 */
const open = '\uE000'
const close = '\uE001'
const placeholder = new RegExp(`${open}(\\d+)${close}`, 'g')

/**
 * The documents as Markdown (prosemirror-markdown's serializer of the one
 * schema), each annotation a footnote whose reference `[^n]` follows its
 * quote; replies go inside their annotation's footnote. Annotations whose
 * words are no longer in the text are listed after it. Notes are numbered
 * through the whole file.
 */
export function toMarkdown(documents: ExportedDocument[]): string {
	let next = 1
	const sections: string[] = []
	for (const document of documents) {
		const numbered = document.roots.map((root) => ({ root, n: next++ }))
		const placed = numbered.filter(({ root }) => root.place)
		// From the end backwards, so that earlier positions stay where they are; at one position the
		// higher number goes in first, which leaves the notes in ascending order.
		const tr = new Transform(document.current.doc)
		for (const { root, n } of [...placed].sort((a, b) => b.root.place!.to - a.root.place!.to || b.n - a.n)) {
			tr.insert(root.place!.to, schema.text(`${open}${n}${close}`))
		}
		let text = defaultMarkdownSerializer.serialize(tr.doc).replace(placeholder, '[^$1]')
		const orphans = numbered.filter(({ root }) => !root.place)
		if (orphans.length > 0) {
			text += `\n\nAnnotations whose words are no longer in the text: ${orphans.map(({ n }) => `[^${n}]`).join(' ')}`
		}
		const notes = numbered.map(({ root, n }) => footnote(n, root, document.replies.get(root.view.id) ?? []))
		sections.push([`# ${inline(document.title)}`, text, ...notes].join('\n\n'))
	}
	return sections.join('\n\n') + '\n'
}

function footnote(n: number, root: ExportedAnnotation, replies: ExportedAnnotation[]): string {
	const { view } = root
	const about = [motivationLabels[view.motivation], annotationStatusLabels[view.status], view.createdAt.slice(0, 10)]
	if (view.tags.length > 0) about.push(`tags: ${view.tags.map(inline).join(', ')}`)
	const lines = [`[^${n}]: **${inline(root.author ?? 'Someone')}** (${about.join(', ')})`]
	if (!root.place && view.anchor) lines.push('', indent(`On “${inline(view.anchor.exact)}”, no longer in the text.`))
	if (root.body.trim()) lines.push('', indent(root.body.trim()))
	for (const reply of replies) {
		lines.push('', indent(`**${inline(reply.author ?? 'Someone')}** replied (${reply.view.createdAt.slice(0, 10)}):`))
		if (reply.body.trim()) lines.push('', indent(reply.body.trim()))
	}
	return lines.join('\n')
}

/** A footnote's continuation: every line indented four spaces (blank lines stay blank). */
function indent(markdown: string): string {
	return markdown
		.split('\n')
		.map((line) => (line.trim() ? `    ${line}` : ''))
		.join('\n')
}

/** Plain text (a name, a title, a quote) made safe inside Markdown emphasis and links. */
function inline(text: string): string {
	return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>#])/g, '\\$1')
}
