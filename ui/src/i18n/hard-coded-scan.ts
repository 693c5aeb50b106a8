/**
 * Finds string literals that read like words for a person in a front end's source (for
 * hard-coded.test.ts and hard-coded-clients.test.ts). Parsed with the TypeScript compiler, so
 * comments, imports, types and comparisons (`e.key === 'Enter'`) are not mistaken for text.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * Words for a person: a capitalised word ("Send"), or a phrase with at least two plain words.
 * Class lists ("ic-link ic-send") and message keys ("composer.send") have no plain words.
 */
const NOT_TEXT_ATTRIBUTES = new Set(['class', 'id', 'rel', 'type', 'name', 'autocomplete', 'role', 'for', 'href']);

export function looksLikeText(s: string): boolean {
  const tokens = s
    .replace(/\$\{\}/g, ' ')
    .trim()
    .split(/\s+/);
  const plain = tokens.filter((w) => /^[(«"]?[A-Za-z]{2,}[,.:;!?…)»"]*$/.test(w));
  return plain.length >= 2 || (tokens.length === 1 && /^[A-Z][a-z]+[.…!?]?$/.test(tokens[0]!));
}

function isCompared(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    return [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(op);
  }
  return ts.isCaseClause(parent);
}

/** The literal's text with ${…} holes shown as ${}. */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => '${}' + s.literal.text).join('');
  return null;
}

export function textLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isTypeNode(node)) return;
    const text = literalText(node);
    if (text !== null) {
      const isKey = ts.isPropertyAssignment(node.parent) && node.parent.name === node;
      // Attribute values no one reads as text (class lists, ids, rel, input types).
      const isMachineAttr =
        ts.isPropertyAssignment(node.parent) && NOT_TEXT_ATTRIBUTES.has(node.parent.name.getText().replace(/['"]/g, ''));
      const isElementTag =
        ts.isCallExpression(node.parent) && node.parent.arguments[0] === node && /\bel$/.test(node.parent.expression.getText());
      if (!isKey && !isMachineAttr && !isElementTag && !isCompared(node) && looksLikeText(text)) {
        found.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${text}`);
      }
      if (!ts.isTemplateExpression(node)) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
