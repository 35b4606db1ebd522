import type { Nodes, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toString } from 'mdast-util-to-string';
import { hasSomethingToSay } from './provider-rules.js';

/** One paragraph of a `from:` file, ready to become a line. */
export interface ScriptParagraph {
  /**
   * The speaker named by an `@voice:` prefix on this or an earlier paragraph, lowercased; absent = the
   * script's default.
   */
  voice?: string;
  text: string;
  /** 1-based position of the paragraph in its file. */
  line: number;
  column: number;
}

// Case-insensitive: voice names are lowercase (the schema's voiceName), and `@Villain:` at the start of a
// paragraph is a speaker switch to `villain`, not words for the previous speaker to say.
const speakerPrefix = /^@([a-z][a-z0-9_-]*):\s*/i;

/** How a `from:` file is read: Markdown by its extension, otherwise plain text. */
export function scriptFormatOf(file: string): 'markdown' | 'text' {
  return /\.(md|markdown)$/i.test(file) ? 'markdown' : 'text';
}

/**
 * Splits a plain-text or Markdown script into spoken paragraphs. Paragraphs are blocks separated by
 * blank lines; in Markdown, headings and list items count as paragraphs, code blocks, HTML and images
 * are not spoken, and emphasis and links keep only their words. A paragraph starting `@voice:` (in any
 * case) switches the speaker for it and every following paragraph. A paragraph with no letter or digit
 * (a scene break such as `◇ ◇ ◇`) is no line.
 */
export function parseScriptSource(text: string, format: 'markdown' | 'text'): ScriptParagraph[] {
  const blocks = format === 'markdown' ? markdownBlocks(text) : textBlocks(text);
  const paragraphs: ScriptParagraph[] = [];
  let voice: string | undefined;
  for (const block of blocks) {
    let content = block.text.replace(/\s+/g, ' ').trim();
    const match = speakerPrefix.exec(content);
    if (match) {
      voice = match[1]!.toLowerCase();
      content = content.slice(match[0].length);
    }
    // A scene break (`◇ ◇ ◇`, `…`) or a bare speaker switch: nothing to say, so no line.
    if (!hasSomethingToSay(content)) continue;
    paragraphs.push({ ...(voice === undefined ? {} : { voice }), text: content, line: block.line, column: block.column });
  }
  return paragraphs;
}

interface Block {
  text: string;
  line: number;
  column: number;
}

function textBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: string[] = [];
  let start = 0;
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') {
      if (current.length > 0) blocks.push({ text: current.join(' '), line: start + 1, column: 1 });
      current = [];
      return;
    }
    if (current.length === 0) start = index;
    current.push(line);
  });
  if (current.length > 0) blocks.push({ text: current.join(' '), line: start + 1, column: 1 });
  return blocks;
}

const unspoken = new Set(['code', 'html', 'image', 'imageReference', 'definition', 'thematicBreak', 'yaml', 'footnoteDefinition']);

function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const visit = (node: Root | RootContent) => {
    if (unspoken.has(node.type)) return;
    if (node.type === 'paragraph' || node.type === 'heading') {
      blocks.push({
        text: toString(withoutImages(node), { includeImageAlt: false }),
        line: node.position?.start.line ?? 0,
        column: node.position?.start.column ?? 0,
      });
      return;
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(fromMarkdown(text));
  return blocks;
}

function withoutImages(node: Nodes): Nodes {
  if (!('children' in node)) return node;
  return { ...node, children: node.children.filter((child) => !unspoken.has(child.type)).map((child) => withoutImages(child)) } as Nodes;
}
