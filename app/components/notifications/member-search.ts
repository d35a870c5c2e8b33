/** A group member as the mention autocomplete offers them. */
export interface MemberOption {
	/** The account, or `pseudonym:N` where the asker may know only the member's pseudonym on the document. */
	id: string
	name: string
	color: string
	/** Set for a pseudonym: the mention is written `@[Reviewer 2](pseudonym:2)`. */
	pseudonym?: number
}

/** Lower-cased, without accents: "Tomás" is found by "tomas". */
function fold(text: string): string {
	return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/**
 * Members whose name, or any word of it, starts with what was typed after
 * the @ ("pri", "raman", "priya r"); an empty query offers everyone.
 * Names starting with the query come first.
 */
export function matchMembers(members: readonly MemberOption[], query: string, limit = 8): MemberOption[] {
	const q = fold(query.trim())
	if (!q) return members.slice(0, limit)
	const ranked: { member: MemberOption; rank: number }[] = []
	for (const member of members) {
		const name = fold(member.name)
		if (name.startsWith(q)) ranked.push({ member, rank: 0 })
		else if (name.split(/\s+/).some((_, i, words) => words.slice(i).join(' ').startsWith(q))) ranked.push({ member, rank: 1 })
	}
	return ranked
		.sort((a, b) => a.rank - b.rank || a.member.name.localeCompare(b.member.name))
		.slice(0, limit)
		.map((r) => r.member)
}

/**
 * The mention being typed at the caret: the @ must start a word, and what
 * follows may hold spaces ("@Priya R") but no line break or bracket.
 */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
	const before = text.slice(Math.max(0, caret - 60), caret)
	const match = /(?:^|[\s(])@([^\s@[\]()][^@\n[\]()]{0,39})?$/u.exec(before)
	if (!match) return null
	const query = match[1] ?? ''
	return { start: caret - query.length - 1, query }
}
