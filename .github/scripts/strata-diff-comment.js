// Posts the review diff (`npm run diff -- --format markdown`) as one pull-request comment and
// updates it on every run: the comment is the bot's own one whose first line is the marker.
// Called by actions/github-script in .github/workflows/review.yml:
//   await require('./.github/scripts/strata-diff-comment.js')({ github, context, core, report, exitCode, runUrl })
// It never throws: on a pull request from a fork the token is read-only and the create or
// update is refused (403); the report is in the job summary then, and the job's result is
// decided by the diff's exit code, not by whether the comment could be posted.
const fs = require('fs');

const MARKER = '<!-- strata-diff -->';
// GitHub refuses comments longer than this; npm run diff stays under it, this is a backstop.
const MAX_COMMENT = 65536;
const BOT = 'github-actions[bot]';

function commentBody({ report, exitCode, sha, runUrl }) {
  if (report !== undefined && fs.existsSync(report)) {
    let body = fs.readFileSync(report, 'utf8');
    if (!body.startsWith(MARKER)) body = `${MARKER}\n${body}`;
    if (body.length > MAX_COMMENT) {
      const note = `\n\n… cut at ${MAX_COMMENT} characters; the whole report is in the [job summary](${runUrl}).\n`;
      body = body.slice(0, MAX_COMMENT - note.length) + note;
    }
    return body;
  }
  // No report (the diff failed before writing it): replace the last report rather than leave
  // one that describes an older commit.
  return (
    `${MARKER}\n### Strata review diff\n\n` +
    `\`npm run diff\` failed (exit code ${exitCode}) on ${String(sha).slice(0, 7)} and wrote no report: ` +
    `see the [workflow run](${runUrl}).\n`
  );
}

async function postReviewComment({ github, context, core, report, exitCode, runUrl }) {
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const body = commentBody({ report, exitCode, sha: context.payload?.pull_request?.head?.sha ?? context.sha, runUrl });
  try {
    const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
    // Only the workflow's own comment: a person quoting the marker is never edited.
    const mine = comments.find((c) => c.user?.login === BOT && typeof c.body === 'string' && c.body.startsWith(MARKER));
    if (mine) {
      await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      core.info(`updated the review comment ${mine.html_url ?? mine.id}`);
    } else {
      await github.rest.issues.createComment({ owner, repo, issue_number, body });
      core.info('posted the review comment');
    }
    return true;
  } catch (error) {
    core.warning(
      `could not post the review comment (${error.status ?? 'error'}: ${error.message}); ` +
        'a pull request from a fork gets a read-only token. The report is in the job summary.',
    );
    return false;
  }
}

module.exports = postReviewComment;
module.exports.MARKER = MARKER;
module.exports.commentBody = commentBody;
