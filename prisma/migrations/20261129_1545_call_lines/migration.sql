-- Call lines in a chat's history (started, ended with who took part, missed): a kind of their
-- own, because unlike other system lines they are news that offline members are emailed.
ALTER TYPE "MessageKind" ADD VALUE 'CALL';
