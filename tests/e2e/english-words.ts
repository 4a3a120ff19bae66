/**
 * English words that must never reach the screen (GLOSSAIRE.md, "à éviter").
 * Shared by the typography test of the French resources (tests/unit/typography.test.ts) and the
 * end-to-end walk over the rendered DOM, `title` and `aria-label` attributes.
 *
 * Only words that are not also French: « contact », « message », « document », « date »,
 * « photo », « port », « notification », « archives », « tentative », « visio »… are fine and absent.
 */
export const ENGLISH_WORDS: readonly string[] = [
  // Mail
  'Inbox',
  'Outbox',
  'Drafts',
  'Draft',
  'Sent',
  'Trash',
  'Spam',
  'Junk',
  'Email',
  'E-mail',
  'Emails',
  'Mail',
  'Mails',
  'Mailbox',
  'Reply',
  'Forward',
  'Fwd',
  'Attachment',
  'Attachments',
  'Send',
  // Calendar and contacts
  'Calendar',
  'Meeting',
  'Meetings',
  'Event',
  'Events',
  'Accept',
  'Decline',
  'Alarm',
  'Reminder',
  'Address book',
  'People',
  // Files
  'Files',
  'File',
  'Folder',
  'Folders',
  'Upload',
  'Download',
  'Drive',
  'Cloud',
  'Pinned',
  'Conflict',
  'Share',
  // Meeting
  'Call',
  'Lobby',
  'Mic',
  'Mute',
  'Unmute',
  'Screen share',
  'Raise hand',
  // Settings and account
  'Settings',
  'Preferences',
  'Password',
  'Account',
  'Accounts',
  'Login',
  'Logout',
  'Log in',
  'Log out',
  'Sign in',
  'Sign out',
  'Username',
  'Profile',
  // State
  'Sync',
  'Synced',
  'Syncing',
  'Offline',
  'Online',
  'Loading',
  'Error',
  'Warning',
  'Failed',
  'Success',
  'Status',
  'Connected',
  'Disconnected',
  // Actions
  'Cancel',
  'Save',
  'Submit',
  'OK',
  'Next',
  'Previous',
  'Back',
  'Retry',
  'Close',
  'Delete',
  'Remove',
  'Edit',
  'Search',
  'Open',
  'New',
  'Add',
  'Help',
  'Yes',
  'No',
  'Welcome',
  'Today',
  'Week',
  'Month',
];

const WORD_CHAR = String.raw`[\p{L}\p{N}_\-]`;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, String.raw`\s+`);
}

/** One case-insensitive regular expression matching any of the words as a whole word (letters, digits, _ and - glue words). */
export const ENGLISH_WORDS_PATTERN = new RegExp(
  `(?<!${WORD_CHAR})(?:${[...ENGLISH_WORDS]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})(?!${WORD_CHAR})`,
  'giu',
);

/** Remove what is not prose before looking for words: URLs, e-mail addresses, {{placeholders}}, --options. */
export function stripNonProse(text: string): string {
  return text
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ')
    .replace(/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+/gu, ' ')
    .replace(/(^|\s)--?[a-z][\w-]*/gi, '$1');
}

/** English words found in a visible text, as written there. */
export function findEnglishWords(text: string): string[] {
  return [...stripNonProse(text).matchAll(ENGLISH_WORDS_PATTERN)].map((m) => m[0]);
}
