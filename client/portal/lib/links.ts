import { readError } from '../../ui/lib/errors.ts';
import { sentence } from '../../ui/lib/forms.ts';

/**
 * What is wrong with an emailed link, as a sentence ("The link has expired; ask
 * for a new link."), when the server refused its token; null for any other failure.
 */
export function linkProblem(err: unknown): string | null {
  const issue = readError(err).issues.find((i) => i.field === 'token');
  return issue ? sentence(`The link ${issue.message}`) : null;
}
