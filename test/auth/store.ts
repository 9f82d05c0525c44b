/**
 * The store the service tests run against. Until feat/store's MemoryStore lands this is a
 * minimal in-test stand-in for the user, session and revocation parts of `Store`.
 */
import type { NewUser, SessionRecord, Store, UserRecord } from '../../src/store/types.js';

export function makeStore(): Store {
  const users = new Map<string, UserRecord>();
  const sessions = new Map<string, SessionRecord>();
  const revoked = new Map<string, number>();
  let created = 0;
  const unsupported = async (): Promise<never> => {
    throw new Error('not used by auth');
  };
  return {
    async createUser(user: NewUser) {
      for (const u of users.values()) if (u.username.toLowerCase() === user.username.toLowerCase()) return 'taken';
      const record: UserRecord = { ...user, role: created++ === 0 ? 'admin' : 'user' };
      users.set(record.id, record);
      return record;
    },
    async getUser(id) {
      return users.get(id);
    },
    async getUserByName(name) {
      for (const u of users.values()) if (u.username.toLowerCase() === name.toLowerCase()) return u;
      return undefined;
    },
    async listUsers() {
      return [...users.values()];
    },
    async countUsers() {
      return users.size;
    },
    async deleteUser(id) {
      for (const s of sessions.values()) if (s.userId === id) sessions.delete(s.id);
      return users.delete(id);
    },
    async createSession(session) {
      sessions.set(session.id, session);
    },
    async getSession(id) {
      return sessions.get(id);
    },
    async updateSession(session) {
      if (!sessions.has(session.id)) return false;
      sessions.set(session.id, session);
      return true;
    },
    async deleteSession(id) {
      return sessions.delete(id);
    },
    async listSessions(userId) {
      return [...sessions.values()].filter((s) => s.userId === userId);
    },
    async revokeToken(jti, expiresAt) {
      revoked.set(jti, expiresAt);
    },
    async isTokenRevoked(jti) {
      return revoked.has(jti);
    },
    createRoom: unsupported,
    getRoom: unsupported,
    listRooms: unsupported,
    deleteRoom: unsupported,
    appendMessage: unsupported,
    messagesAfter: unsupported,
    messagesBefore: unsupported,
    countMessages: unsupported,
    async close() {},
  };
}
