import { Fragment, type ReactNode } from 'react'
import { safeHref } from '#app/editor/safe-url.ts'
import type { DocumentJSON } from '#app/editor/schema.ts'

/**
 * Renders a document's ProseMirror JSON as plain React elements, so the
 * server-rendered read view needs no DOM and no HTML string is ever
 * injected. Unknown node types render their children, so a newer schema
 * degrades to text rather than failing.
 */
export function DocumentView({ doc }: { doc: DocumentJSON }) {
	return <div className="document">{renderChildren(doc)}</div>
}

function renderChildren(node: DocumentJSON): ReactNode {
	return node.content?.map((child, index) => <Fragment key={index}>{renderNode(child)}</Fragment>) ?? null
}

function renderNode(node: DocumentJSON): ReactNode {
	const children = renderChildren(node)
	switch (node.type) {
		case 'paragraph':
			return <p>{children}</p>
		case 'heading': {
			// One level down: the page's own <h1> is the document's title.
			const level = Math.min(6, Math.max(1, Number(node.attrs?.level ?? 1)) + 1)
			const Tag = `h${level}` as 'h1'
			return <Tag>{children}</Tag>
		}
		case 'blockquote':
			return <blockquote>{children}</blockquote>
		case 'horizontal_rule':
			return <hr />
		case 'code_block':
			return (
				<pre>
					<code>{children}</code>
				</pre>
			)
		case 'bullet_list':
			return <ul>{children}</ul>
		case 'ordered_list': {
			const order = Number(node.attrs?.order ?? 1)
			return <ol start={order === 1 ? undefined : order}>{children}</ol>
		}
		case 'list_item':
			return <li>{children}</li>
		case 'hard_break':
			return <br />
		case 'text':
			return renderMarks(node.text ?? '', node.marks ?? [])
		default:
			return children
	}
}

function renderMarks(text: string, marks: NonNullable<DocumentJSON['marks']>): ReactNode {
	return marks.reduceRight<ReactNode>((inner, mark) => {
		switch (mark.type) {
			case 'em':
				return <em>{inner}</em>
			case 'strong':
				return <strong>{inner}</strong>
			case 'code':
				return <code>{inner}</code>
			case 'annotation': {
				// A render-only mark from the read view's loader: where an annotation sits.
				// The public reader also gives it an id (its notes link back to it) and a
				// link to its margin note (an in-page "#…" fragment only).
				const motivation = String(mark.attrs?.motivation ?? 'commenting')
				const standing = typeof mark.attrs?.standing === 'string' ? ` is-${mark.attrs.standing}` : ''
				const href = typeof mark.attrs?.href === 'string' && mark.attrs.href.startsWith('#') ? mark.attrs.href : null
				return (
					<mark
						className={`annotation-highlight motivation-${motivation}${standing}`}
						data-annotation-id={String(mark.attrs?.id ?? '')}
						id={typeof mark.attrs?.elementId === 'string' ? mark.attrs.elementId : undefined}
						title={String(mark.attrs?.label ?? '')}
					>
						{href ? (
							<a href={href} className="highlight-link">
								{inner}
							</a>
						) : (
							inner
						)}
					</mark>
				)
			}
			case 'link': {
				// The schema refuses unsafe links; this guards JSON that never went through it.
				const href = safeHref(mark.attrs?.href)
				if (href === null) return inner
				const title = mark.attrs?.title
				return (
					<a href={href} title={typeof title === 'string' ? title : undefined} rel="noopener noreferrer nofollow">
						{inner}
					</a>
				)
			}
			default:
				return inner
		}
	}, text)
}
