/** Where a legacy HTTP+SSE client posts its messages (`POST /messages?sessionId=`), announced on its stream. */
export const SSE_MESSAGES_PATH = '/messages';
