//! The relay's API tests: one binary that starts the real relay on port 0 with a throw-away database, on
//! SQLite and on PostgreSQL, and calls it over HTTP as the widget does.

mod support;

mod auth;
mod canned;
mod cloud;
mod demo;
mod faults;
mod files;
mod health;
mod lifecycle;
mod messages;
mod outbox;
mod phones;
mod pipedrive;
mod restart;
mod secrets;
mod sign_in;
mod streams;
mod timelines;
mod timelines_restart;
mod top_level;
mod upgrade;
mod whatsapp;
mod workspaces;
