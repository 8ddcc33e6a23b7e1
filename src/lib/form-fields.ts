// What a console form holds between a refused save and the page shown again:
// what was typed, and the errors beside the fields (server/http/forms.ts reads them).

/** What a form sent, one string per field name (checkboxes: present or not). */
export type Fields = Record<string, string>;
/** Error messages by field name. */
export type Errors = Record<string, string>;
