// One way to put text into HTML, XML or SVG: every character that could end
// a text node or an attribute becomes a numeric reference.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
