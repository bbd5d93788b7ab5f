package main

import (
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// document is a text that expected signers confirm they have read.
type document struct {
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	ExpectedSigners []string       `json:"expected_signers"`
	CreatedAt       time.Time      `json:"created_at"`
	CompletedAt     *time.Time     `json:"completed_at,omitempty"`
	Signatures      []confirmation `json:"signatures"`
}

// confirmation is one signer's read confirmation of a document.
type confirmation struct {
	DocumentID string    `json:"document_id"`
	Signer     string    `json:"signer"`
	SignedAt   time.Time `json:"signed_at"`
}

// createDocument handles POST /documents {title, expected_signers}: the
// document and its document.created event, in one transaction.
func (a *app) createDocument(w http.ResponseWriter, r *http.Request) error {
	var doc document
	if err := decode(r, &doc); err != nil {
		return err
	}
	if doc.Title == "" || len(doc.ExpectedSigners) == 0 {
		return errorf(http.StatusUnprocessableEntity, "title and expected_signers are required")
	}
	doc.ID, doc.CompletedAt, doc.Signatures = "doc_"+rand.Text(), nil, []confirmation{}
	err := a.inTx(r.Context(), func(tx pgx.Tx) error {
		err := tx.QueryRow(r.Context(),
			`INSERT INTO documents (id, title, expected_signers) VALUES ($1, $2, $3) RETURNING created_at`,
			doc.ID, doc.Title, doc.ExpectedSigners).Scan(&doc.CreatedAt)
		if err != nil {
			return err
		}
		return a.publish(r.Context(), tx, "document.created", doc)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, doc)
	return nil
}

// getDocument handles GET /documents/{id}.
func (a *app) getDocument(w http.ResponseWriter, r *http.Request) error {
	var doc document
	err := a.inTx(r.Context(), func(tx pgx.Tx) (err error) {
		doc, err = loadDocument(r, tx)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// signDocument handles POST /documents/{id}/signatures {signer}: the
// signature and its signature.created event and, when it is the last one
// expected, the document's completion and its document.completed event, all
// in one transaction.
func (a *app) signDocument(w http.ResponseWriter, r *http.Request) error {
	var sig confirmation
	if err := decode(r, &sig); err != nil {
		return err
	}
	var doc document
	err := a.inTx(r.Context(), func(tx pgx.Tx) (err error) {
		if doc, err = loadDocument(r, tx); err != nil {
			return err
		}
		if !slices.Contains(doc.ExpectedSigners, sig.Signer) {
			return errorf(http.StatusUnprocessableEntity, "%q is not an expected signer of %s", sig.Signer, doc.ID)
		}
		sig.DocumentID = doc.ID
		err = tx.QueryRow(r.Context(), `
			INSERT INTO signatures (document_id, signer) VALUES ($1, $2)
			ON CONFLICT DO NOTHING RETURNING signed_at`, doc.ID, sig.Signer).Scan(&sig.SignedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return errorf(http.StatusConflict, "%s has already signed %s", sig.Signer, doc.ID)
		}
		if err != nil {
			return err
		}
		if err := a.publish(r.Context(), tx, "signature.created", sig); err != nil {
			return err
		}
		doc.Signatures = append(doc.Signatures, sig)
		if len(doc.Signatures) < len(doc.ExpectedSigners) {
			return nil
		}
		if err := tx.QueryRow(r.Context(), `UPDATE documents SET completed_at = now() WHERE id = $1 RETURNING completed_at`,
			doc.ID).Scan(&doc.CompletedAt); err != nil {
			return err
		}
		return a.publish(r.Context(), tx, "document.completed", doc)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sig)
	return nil
}

// loadDocument reads the document of the route's {id} with its signatures,
// locked until tx ends so that signatures of one document take turns.
func loadDocument(r *http.Request, tx pgx.Tx) (document, error) {
	doc := document{ID: r.PathValue("id")}
	err := tx.QueryRow(r.Context(), `
		SELECT title, expected_signers, created_at, completed_at FROM documents WHERE id = $1 FOR UPDATE`,
		doc.ID).Scan(&doc.Title, &doc.ExpectedSigners, &doc.CreatedAt, &doc.CompletedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return document{}, errorf(http.StatusNotFound, "no document %s", doc.ID)
	}
	if err != nil {
		return document{}, err
	}
	rows, err := tx.Query(r.Context(), `
		SELECT document_id, signer, signed_at FROM signatures WHERE document_id = $1 ORDER BY signed_at`, doc.ID)
	if err != nil {
		return document{}, err
	}
	doc.Signatures, err = pgx.CollectRows(rows, pgx.RowToStructByPos[confirmation])
	return doc, err
}
