-- 014: reserved for the Documents/Agenda part of the espaces de travail (branch h15docs, 014_workspace_documents.sql).
-- Placeholder so that 015 applies on this branch (migrations are numbered without gap): delete this file when merging
-- h15docs's 014.
SELECT 1;
